"""Prompts written here for measuring the emoji text-to-image model, never used in training: paraphrases of
emoji in everyday words, each with the subcategory the judge should read, and compositions that no single
training image shows."""

PARAPHRASES = [
    ("a happy laughing face", "face-smiling"), ("a face blowing a kiss", "face-affection"),
    ("a sleepy face", "face-sleepy"), ("a sick face with a thermometer", "face-unwell"),
    ("an angry red face", "face-negative"), ("a ghost", "face-costume"), ("a smiling cat", "cat-face"),
    ("a red love heart", "heart"), ("a thumbs up", "hand-fingers-closed"), ("two hands clapping", "hands"),
    ("a police officer", "person-role"), ("a princess", "person-role"), ("a vampire", "person-fantasy"),
    ("a person swimming", "person-sport"), ("a cute puppy", "animal-mammal"), ("a lion", "animal-mammal"),
    ("a bird", "animal-bird"), ("a green frog", "animal-amphibian"), ("a snake", "animal-reptile"),
    ("a fish in the sea", "animal-marine"), ("a butterfly", "animal-bug"), ("a red rose", "plant-flower"),
    ("a palm tree", "plant-other"), ("a banana", "food-fruit"), ("a carrot", "food-vegetable"),
    ("a hamburger", "food-prepared"), ("a bowl of ramen noodles", "food-asian"), ("a birthday cake", "food-sweet"),
    ("a cup of hot coffee", "drink"), ("a volcano", "place-geographic"), ("a house", "place-building"),
    ("a red car", "transport-ground"), ("a sailing boat", "transport-water"), ("an aeroplane", "transport-air"),
    ("a clock", "time"), ("a rain cloud", "sky & weather"), ("a christmas tree", "event"),
    ("a gold medal", "award-medal"), ("a football", "sport"), ("a pair of glasses", "clothing"),
    ("a guitar", "musical-instrument"), ("a laptop computer", "computer"), ("a pile of money", "money"),
    ("a hammer", "tool"), ("a padlock", "lock"), ("an arrow pointing up", "arrow"),
    ("the flag of japan", "country-flag"), ("a lit light bulb", "light & video"),
]

COMPOSITIONS = [
    ("a blue apple", "food-fruit"), ("a 3d rocket", "transport-air"), ("a smiling sun", "sky & weather"),
    ("a green heart, 3d emoji", "heart"), ("a cat wearing sunglasses", "cat-face"), ("a purple car", "transport-ground"),
    ("a pizza, twemoji emoji", "food-prepared"), ("a snowman in 3d", "sky & weather"),
]
