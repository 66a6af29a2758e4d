"""A generated corpus for copy detection (bench/copies.py, tests/bot/test_copies.py): posts
in Russian and English, pictures of shapes, and the copies a thief would make of them."""

import io
import random

from PIL import Image, ImageDraw, ImageFilter

_RUSSIAN = [
    "сегодня",
    "завтра",
    "рецепт",
    "хлеб",
    "закваска",
    "мука",
    "вода",
    "соль",
    "сахар",
    "масло",
    "тесто",
    "духовка",
    "минут",
    "час",
    "новости",
    "город",
    "погода",
    "дождь",
    "солнце",
    "рынок",
    "цены",
    "рубль",
    "курс",
    "акции",
    "компания",
    "проект",
    "команда",
    "игра",
    "матч",
    "гол",
    "тренер",
    "сезон",
    "фильм",
    "сериал",
    "книга",
    "автор",
    "глава",
    "история",
    "музей",
    "выставка",
    "дорога",
    "машина",
    "поезд",
    "самолет",
    "отпуск",
    "море",
    "горы",
    "лес",
    "река",
    "дом",
    "квартира",
    "ремонт",
    "кухня",
    "работа",
    "офис",
    "зарплата",
    "налог",
    "закон",
    "суд",
    "выборы",
    "депутат",
    "министр",
    "школа",
    "учитель",
    "ученик",
]
ENGLISH = [
    "today",
    "tomorrow",
    "recipe",
    "bread",
    "flour",
    "water",
    "salt",
    "sugar",
    "butter",
    "dough",
    "oven",
    "minutes",
    "hour",
    "news",
    "city",
    "weather",
    "rain",
    "sun",
    "market",
    "prices",
    "dollar",
    "rate",
    "shares",
    "company",
    "project",
    "team",
    "game",
    "match",
    "goal",
    "coach",
    "season",
    "film",
    "series",
    "book",
    "author",
    "chapter",
    "story",
    "museum",
    "show",
    "road",
    "car",
    "train",
    "plane",
    "holiday",
    "sea",
    "mountains",
    "forest",
    "river",
    "house",
    "flat",
    "repair",
    "kitchen",
    "work",
    "office",
    "salary",
    "tax",
    "law",
    "court",
    "election",
    "minister",
    "school",
    "teacher",
    "pupil",
]
_FILLER = [
    "и",
    "в",
    "на",
    "с",
    "по",
    "для",
    "это",
    "мы",
    "вы",
    "они",
    "the",
    "a",
    "of",
    "to",
    "and",
    "in",
    "for",
    "is",
    "it",
    "you",
    "we",
]
_EMOJI = ["🔥", "👍", "😂", "❤️", "🍞", "⚡", "📈"]
_LINKS = ["https://t.me/somechannel", "https://example.com/page?id=7", "@otherchannel", "#news"]


def post_text(r: random.Random) -> str:
    vocabulary = _RUSSIAN if r.random() < 0.5 else ENGLISH
    words = [
        r.choice(_FILLER) if r.random() < 0.25 else r.choice(vocabulary)
        for _ in range(r.randrange(25, 70))
    ]
    if r.random() < 0.5:
        words.insert(r.randrange(len(words)), r.choice(_LINKS))
    if r.random() < 0.5:
        words.append(r.choice(_EMOJI))
    return " ".join(words)


def copied_text(text: str, r: random.Random) -> str:
    words = [w for w in text.split() if w not in _LINKS and w not in _EMOJI]
    vocabulary = _RUSSIAN if any(w in _RUSSIAN for w in words) else ENGLISH
    for index in r.sample(range(len(words)), max(1, len(words) // 10)):
        words[index] = r.choice(vocabulary)
    if r.random() < 0.5:
        words.append(r.choice(_LINKS))
    words.insert(r.randrange(len(words)), r.choice(_EMOJI))
    return " ".join(words)


def picture(r: random.Random) -> bytes:
    width, height = 640, 480
    # A gradient behind a few dozen shapes: some structure at every scale, as photos have.
    start, end = (tuple(r.randrange(256) for _ in range(3)) for _ in range(2))
    image = Image.linear_gradient("L").resize((width, height)).rotate(r.randrange(360))
    image = Image.merge(
        "RGB",
        [
            image.point(lambda v, a=a, b=b: a + (b - a) * v // 255)
            for a, b in zip(start, end, strict=True)
        ],
    )
    draw = ImageDraw.Draw(image)
    for _ in range(r.randrange(15, 40)):
        x0, y0 = r.randrange(width), r.randrange(height)
        box = (x0, y0, x0 + r.randrange(20, 200), y0 + r.randrange(20, 200))
        fill = tuple(r.randrange(256) for _ in range(3))
        (draw.ellipse if r.random() < 0.5 else draw.rectangle)(box, fill=fill)
    return _jpeg(image.filter(ImageFilter.GaussianBlur(1)), 90)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def copied_picture(data: bytes, r: random.Random) -> bytes:
    image = Image.open(io.BytesIO(data)).convert("RGB")
    width, height = image.size
    cut_x, cut_y = int(width * 0.1), int(height * 0.1)
    left, top = r.randrange(cut_x + 1), r.randrange(cut_y + 1)
    image = image.crop((left, top, left + width - cut_x, top + height - cut_y))
    image = image.resize((image.width // 2, image.height // 2))
    draw = ImageDraw.Draw(image)
    draw.rectangle(
        (image.width - 70, image.height - 20, image.width - 5, image.height - 5), "white"
    )
    draw.text((image.width - 68, image.height - 19), "@thief", fill="black")
    return _jpeg(image, 60)
