"""What a public deployment exposes: configuration, and where user input can go."""

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_CODE = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")), *sorted((ROOT / "resnext_app").glob("*.py")),
            *sorted((ROOT / "resnext").rglob("*.py"))]


def test_streamlit_config_is_fit_for_a_public_space():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableXsrfProtection"] is True
    assert config["server"]["fileWatcherType"] == "none"
    from resnext_app.bulk import MAX_UPLOAD_MB
    from resnext_app.images import PHOTO_MB

    # The HTTP cap admits a Batch zip and no more; single photos have their widget's lower cap.
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB <= 100 and PHOTO_MB <= 20
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] == "none"


def test_no_user_input_can_reach_a_shell_eval_or_pickle():
    forbidden_calls = {"eval", "exec", "compile", "__import__"}
    forbidden_modules = {"subprocess", "pickle", "marshal", "shelve", "dill"}
    for path in APP_CODE:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in forbidden_calls, f"{path.name}:{node.lineno} calls {node.func.id}"
            if isinstance(node, ast.Attribute) and node.attr in {"system", "popen"}:
                assert False, f"{path.name}:{node.lineno} uses os.{node.attr}"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                for name in names:
                    assert name.split(".")[0] not in forbidden_modules or path.name == "checkpoint.py" and name == "pickle", \
                        f"{path.name}:{node.lineno} imports {name}"


def test_pages_take_no_paths_or_urls_from_the_user():
    for path in [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "resnext_app").glob("*.py")]:
        source = path.read_text()
        assert "text_input" not in source and "text_area" not in source, path.name
