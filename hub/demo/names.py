"""Obviously synthetic names for demo learners and places.

Given names are real first names prefixed with "Demo" and family names are invented words, so no
generated person can be mistaken for a real one; place names are fictional too.
"""

from __future__ import annotations

GIVEN_NAMES_F = (
    "Ada", "Bea", "Cora", "Dina", "Edie", "Fay", "Gwen", "Hana", "Ivy", "Jo", "Kit", "Lola",
    "Mae", "Nell", "Opal", "Pia", "Rae", "Sia", "Tess", "Uma", "Vera", "Wren", "Yara", "Zoe",
    "Amara", "Bryony", "Celia", "Delphine", "Esme", "Freya", "Greta", "Hattie", "Imogen",
    "Juno", "Kasia", "Leila", "Maya", "Nadia", "Orla", "Priya", "Rosa", "Sana", "Talia",
)
GIVEN_NAMES_M = (
    "Abe", "Ben", "Cal", "Dev", "Eli", "Finn", "Gus", "Hal", "Ike", "Jay", "Kai", "Leo",
    "Max", "Ned", "Oli", "Pip", "Ray", "Sol", "Ted", "Ugo", "Vic", "Wyn", "Yan", "Zac",
    "Arjun", "Bilal", "Cyrus", "Dario", "Emeka", "Felix", "Gideon", "Hamza", "Idris",
    "Jonah", "Kofi", "Luca", "Milo", "Nico", "Osian", "Rafael", "Soren", "Tobias",
)
# Invented family names: pronounceable, but not (as far as we know) real surnames.
FAMILY_NAMES = (
    "Quillfeather", "Bramblewick", "Thistledown", "Mossgrove", "Fernhollow", "Larkspindle",
    "Copperkettle", "Ashwhistle", "Brightwater", "Cindermoor", "Dapplegate", "Elderquay",
    "Foxmantle", "Glimmerdale", "Hazelbrook", "Inkwillow", "Juniperly", "Kestrelton",
    "Lanternfold", "Marrowdew", "Nettlecombe", "Oakenshaw", "Pebblecroft", "Quarrymead",
    "Rookwhistle", "Saltmarrow", "Tumbleford", "Umberlane", "Velvetmoss", "Willowmere",
    "Yarrowby", "Zephyrdale", "Applesnook", "Buttonwick", "Cloverhythe", "Driftmantle",
    "Emberfield", "Frostwhistle", "Gorsebottom", "Hollyknock", "Ivorydown", "Jesterholm",
    "Kindlewood", "Lichenby", "Mistlecote", "Nimbleford", "Orchardine", "Puddlestone",
)
HOME_LA_NAME = "Demoshire"
NEIGHBOUR_LA_NAME = "Westmarch"
TOWNS = (
    "Ambleton", "Brackenford", "Cotterby", "Dunmere", "Eastwick Parva", "Fallowmead",
    "Greyhaven", "Hollinsby",
)
