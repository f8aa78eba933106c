"""The bounce and complaint reports in bounce_samples/, and what each is about."""

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "bounce_samples"
# The address and original Message-ID each sample is about.
MAILED = {
    "kenji.sato@example.org": "101.1.9f2c4e1a7b3d5f60@japan-herald.example.com",
    "aiko.mori@example.org": "101.2.0a1b2c3d4e5f6071@japan-herald.example.com",
    "yuki@example.org": "101.3.1122334455667788@japan-herald.example.com",
    "taro@example.org": "101.4.taro@japan-herald.example.com",
    "hanako@example.org": "101.4.hanako@japan-herald.example.com",
    "jiro@example.org": "101.4.jiro@japan-herald.example.com",
    "mei@example.org": "101.5.aabbccddeeff0011@japan-herald.example.com",
    "sora@example.org": "101.6.00ff00ff00ff00ff@japan-herald.example.com",
    "lukas.mueller@example.de": "101.9.5a5a5a5a5a5a5a5a@japan-herald.example.com",
}
ALL_SAMPLES = sorted(p.name for p in SAMPLES.glob("*.eml"))


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()
