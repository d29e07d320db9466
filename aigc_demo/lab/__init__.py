"""The Model Lab's work without Gradio: the evaluation dashboard and model compression."""
