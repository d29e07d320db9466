"""AIGC Studio: a multi-tab Gradio app to try, compare and learn generative models."""

__version__ = "0.1.0"
