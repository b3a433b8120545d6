"""Demo catalog for the Magento sandbox: fixed, deterministic data shaped like Luma's sample.

Two store views (``default`` English, ``es`` Spanish) on website ``base``; attributes color,
size, material, manufacturer with Spanish option labels; three attribute sets; a small
category tree; six configurable tees/hoodies (color x size) and twenty simple products; two
MSI sources (``default``, ``eu_warehouse``) and stock 2 "Main Stock" selling on ``base``.
"""

from __future__ import annotations

WEBSITES = [
    {"id": 0, "code": "admin", "name": "Admin", "default_group_id": 0},
    {"id": 1, "code": "base", "name": "Main Website", "default_group_id": 1},
]
STORE_GROUPS = [
    {
        "id": 0,
        "website_id": 0,
        "root_category_id": 0,
        "default_store_id": 0,
        "name": "Default",
        "code": "default",
    },
    {
        "id": 1,
        "website_id": 1,
        "root_category_id": 2,
        "default_store_id": 1,
        "name": "Main Website Store",
        "code": "main_website_store",
    },
]
STORE_VIEWS = [
    {
        "id": 0,
        "code": "admin",
        "name": "Admin",
        "website_id": 0,
        "store_group_id": 0,
        "is_active": 1,
    },
    {
        "id": 1,
        "code": "default",
        "name": "Default Store View",
        "website_id": 1,
        "store_group_id": 1,
        "is_active": 1,
    },
    {
        "id": 2,
        "code": "es",
        "name": "Spanish Store View",
        "website_id": 1,
        "store_group_id": 1,
        "is_active": 1,
    },
]
LOCALES = {0: "en_US", 1: "en_US", 2: "es_ES"}

ATTRIBUTE_SETS = [(4, "Default", 1), (9, "Apparel", 2), (10, "Gear", 3)]

# (id, code, label, frontend_input, backend_type, sets, [(option_id, en, es)])
ATTRIBUTES = [
    (73, "name", "Product Name", "text", "varchar", (4, 9, 10), []),
    (74, "sku", "SKU", "text", "static", (4, 9, 10), []),
    (75, "description", "Description", "textarea", "text", (4, 9, 10), []),
    (76, "short_description", "Short Description", "textarea", "text", (4, 9, 10), []),
    (77, "price", "Price", "price", "decimal", (4, 9, 10), []),
    (82, "weight", "Weight", "weight", "decimal", (4, 9, 10), []),
    (87, "image", "Base", "media_image", "varchar", (4, 9, 10), []),
    (88, "small_image", "Small", "media_image", "varchar", (4, 9, 10), []),
    (89, "thumbnail", "Thumbnail", "media_image", "varchar", (4, 9, 10), []),
    (97, "status", "Enable Product", "boolean", "int", (4, 9, 10), []),
    (99, "visibility", "Visibility", "select", "int", (4, 9, 10), []),
    (121, "url_key", "URL Key", "text", "varchar", (4, 9, 10), []),
    (
        93,
        "color",
        "Color",
        "select",
        "int",
        (9, 10),
        [
            (49, "Black", "Negro"),
            (50, "Blue", "Azul"),
            (58, "Red", "Rojo"),
            (59, "White", "Blanco"),
            (53, "Green", "Verde"),
        ],
    ),
    (
        144,
        "size",
        "Size",
        "select",
        "int",
        (9,),
        [(167, "S", "P"), (168, "M", "M"), (169, "L", "G"), (170, "XL", "XG")],
    ),
    (
        136,
        "material",
        "Material",
        "multiselect",
        "varchar",
        (9, 10),
        [
            (31, "Cotton", "Algodón"),
            (33, "Polyester", "Poliéster"),
            (35, "Leather", "Cuero"),
            (37, "Nylon", "Nailon"),
        ],
    ),
    (
        83,
        "manufacturer",
        "Manufacturer",
        "select",
        "int",
        (4, 10),
        [(212, "Acme", "Acme"), (213, "Globex", "Globex"), (214, "Initech", "Initech")],
    ),
]

# (id, parent_id, name_en, name_es, position)
CATEGORIES = [
    (1, 0, "Root Catalog", "Root Catalog", 0),
    (2, 1, "Default Category", "Categoría predeterminada", 1),
    (3, 2, "Apparel", "Ropa", 1),
    (4, 3, "Tops", "Camisetas", 1),
    (5, 3, "Hoodies", "Sudaderas", 2),
    (6, 2, "Gear", "Equipo", 2),
    (7, 6, "Bags", "Bolsos", 1),
    (8, 6, "Watches", "Relojes", 2),
    (9, 6, "Fitness", "Fitness", 3),
]

SOURCES = [
    {
        "source_code": "default",
        "name": "Default Source",
        "enabled": True,
        "country_id": "US",
        "postcode": "00000",
        "description": "Default Source",
    },
    {
        "source_code": "eu_warehouse",
        "name": "EU Warehouse",
        "enabled": True,
        "country_id": "ES",
        "postcode": "28001",
        "city": "Madrid",
        "description": "Madrid fulfilment centre",
    },
]
# (stock_id, name, [source codes by priority], [website codes])
STOCKS = [
    (1, "Default Stock", ["default"], []),
    (2, "Main Stock", ["default", "eu_warehouse"], ["base"]),
]
SELLING_STOCK_ID = 2

# (sku stem, en name, es name, category, attribute set, base price, colors, sizes, material)
CONFIGURABLES = [
    ("MS-AUR", "Aurora Tee", "Camiseta Aurora", 4, 9, 24.0, (58, 49), (167, 168), "31"),
    ("MS-BRZ", "Breeze Tank", "Camiseta sin mangas Brisa", 4, 9, 19.0, (59, 50), (168, 169), "33"),
    ("WS-CAL", "Calm Crew Tee", "Camiseta Calma", 4, 9, 22.0, (53, 59), (167, 169), "31"),
    ("MH-DUS", "Dusk Hoodie", "Sudadera Ocaso", 5, 9, 54.0, (49, 50), (168, 170), "31,33"),
    ("WH-EMB", "Ember Hoodie", "Sudadera Brasa", 5, 9, 58.0, (58, 53), (167, 168), "33"),
    ("MH-FRO", "Frost Zip Hoodie", "Sudadera Escarcha", 5, 9, 62.0, (59, 49), (169, 170), "31"),
]
# (sku, en name, es name, category, attribute set, price, manufacturer, color or None)
SIMPLES = [
    ("24-MB01", "Joust Duffle Bag", "Bolsa de deporte Joust", 7, 10, 34.0, 212, 49),
    ("24-MB02", "Fusion Backpack", "Mochila Fusion", 7, 10, 59.0, 213, 50),
    ("24-MB03", "Crown Summit Backpack", "Mochila Crown Summit", 7, 10, 38.0, 212, 58),
    ("24-MB04", "Strive Shoulder Pack", "Bolso de hombro Strive", 7, 10, 32.0, 214, 49),
    ("24-MB05", "Wayfarer Messenger Bag", "Bandolera Wayfarer", 7, 10, 45.0, 213, 59),
    ("24-MB06", "Rival Field Messenger", "Bandolera Rival", 7, 10, 45.0, 212, 53),
    ("24-MG01", "Endurance Watch", "Reloj Endurance", 8, 10, 49.0, 214, 49),
    ("24-MG02", "Summit Watch", "Reloj Summit", 8, 10, 54.0, 213, 50),
    ("24-MG03", "Cruise Dual Analog Watch", "Reloj analógico Cruise", 8, 10, 55.0, 212, 59),
    ("24-MG04", "Aim Analog Watch", "Reloj analógico Aim", 8, 10, 45.0, 214, 58),
    ("24-MG05", "Dash Digital Watch", "Reloj digital Dash", 8, 10, 92.0, 213, 49),
    ("24-WG01", "Bolo Sport Watch", "Reloj deportivo Bolo", 8, 10, 49.0, 212, 53),
    ("24-UG01", "Quest Lumaflex Band", "Banda Quest Lumaflex", 9, 10, 19.0, 214, None),
    ("24-UG02", "Pursuit Lumaflex Tone Band", "Banda Pursuit", 9, 10, 16.0, 213, None),
    ("24-UG03", "Harmony Lumaflex Kit", "Kit Harmony Lumaflex", 9, 10, 22.0, 212, None),
    ("24-UG04", "Zing Jump Rope", "Comba Zing", 9, 10, 12.0, 214, None),
    ("24-UG05", "Go-Get'r Pushup Grips", "Agarres para flexiones Go-Get'r", 9, 10, 19.0, 213, None),
    ("24-UG06", "Affirm Water Bottle", "Botella de agua Affirm", 9, 10, 7.0, 212, 50),
    ("24-UG07", "Dual Handle Cardio Ball", "Balón cardio de doble asa", 9, 10, 12.0, 214, None),
    ("24-WB01", "Voyage Yoga Bag", "Bolsa de yoga Voyage", 7, 4, 32.0, 213, None),
]

CUSTOMERS = [
    ("roni_cost@example.com", "Veronica", "Costello"),
    ("jane.doe@example.com", "Jane", "Doe"),
]

SEED_TIME = "2026-01-05 09:00:00"
