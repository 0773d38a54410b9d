from pathlib import Path
import pytest
REPO = Path(__file__).resolve().parents[1]
@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = REPO.parent / "shared" / "data"
    if not path.is_dir():
        pytest.skip("../shared/data fehlt (nur im Entwickler-Checkout vorhanden)")
    return path
