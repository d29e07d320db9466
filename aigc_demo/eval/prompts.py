"""Held-out prompts for measuring text to image: paraphrases per class and prompts about things the image models
never saw. Written apart from the class descriptions in aigc_demo/pipelines/concepts.py and never used to tune them
(the descriptions and threshold were set on a separate development list, DEV_PROMPTS below)."""

HELDOUT_PROMPTS: dict[str, list[str]] = {
    "T-shirt/top": ["a white tee", "a graphic t-shirt", "a basic top for summer", "a v-neck tee",
                    "a cotton top without sleeves", "a band t-shirt"],
    "Trouser": ["a pair of trousers", "blue jeans", "cargo pants", "skinny jeans", "tailored trousers",
                "jogging bottoms"],
    "Pullover": ["a cosy sweater", "a knitted pullover", "a turtleneck jumper", "a warm woollen sweater",
                 "a fleece sweatshirt", "a christmas jumper"],
    "Dress": ["a little black dress", "a wedding gown", "a maxi dress", "a cocktail dress", "a floral summer frock",
              "a ball gown"],
    "Coat": ["a long wool coat", "a puffer jacket", "a leather jacket", "a rain jacket", "a heavy winter parka",
             "a denim jacket"],
    "Sandal": ["summer sandals", "gladiator sandals", "a pair of flip flops", "slides for the pool",
               "open shoes with thin straps", "wedge sandals"],
    "Shirt": ["a checked shirt", "a white collared shirt", "a silk blouse", "a denim shirt",
              "a business shirt with buttons", "an oxford shirt"],
    "Sneaker": ["trainers for the gym", "white sneakers", "a pair of running trainers", "basketball shoes",
                "skate shoes", "jogging shoes"],
    "Bag": ["a leather handbag", "a school backpack", "a shopping tote", "a small purse", "a messenger bag",
            "a travel bag"],
    "Ankle boot": ["chelsea boots", "leather ankle boots", "cowboy boots", "work boots", "snow boots",
                   "heeled booties"],
}

UNRELATED_PROMPTS = ["an alien spacecraft", "a golden retriever", "a bowl of ramen", "the Eiffel tower", "a sports car",
                     "a violin", "a thunderstorm over the sea", "a desktop printer", "a bunch of roses",
                     "a castle on a hill", "a glass of orange juice", "an elephant", "a mountain lake at dawn",
                     "a bicycle", "a birthday cake", "a smartphone", "the moon", "a pine forest", "a sailing boat",
                     "Mr. Darcy walked into the ballroom"]

DEV_PROMPTS = ["running shoes", "trainers", "a pair of sneakers", "a red dress for a wedding", "jeans",
               "something warm for winter", "Nike Air Max", "stilettos", "a rucksack for school", "a wooly jumper",
               "mountain boots", "a dog", "a nice hat", "a laptop", "a cup of coffee", "the sea at night",
               "pyjamas", "a scarf", "socks", "a spaceship"]
