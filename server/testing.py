"""Test configuration: an explicit database, a fixed secret, nothing read from the operator's env."""

from .config import Config


class TestConfig(Config):
    def __init__(self, database_url: str, **overrides) -> None:
        # Tests never read the operator's environment (DATABASE_URL, SECRET_KEY...).
        super().__init__(env={"DATABASE_URL": database_url, "SECRET_KEY": "test-secret-key"})
        self.TESTING = True
        self.SHIFT_HOURS = 10.0
        self.SCAN_GS_SUBSTITUTES = ("|",)
        self.SQLITE_SYNCHRONOUS = "NORMAL"
        self.JOBS_IMMEDIATE = True  # a job runs right after the request that queued it (tests of a consumer: off)
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast for tests; still a real salted hash
        for key, value in overrides.items():
            setattr(self, key, value)
