#!/usr/bin/env python3
"""The two commands of the README, needing only Python 3.11:

    python3 dev.py run    set everything up and serve the application on http://127.0.0.1:8000
    python3 dev.py test   set everything up and run the whole test suite (extra arguments go to pytest)

Setup is idempotent: a virtual environment in .venv, the pinned requirements
(reinstalled only when requirements.txt changes), Debian's chromium, nginx and LibreOffice
Calc for the tests, the database migrated and the programme loaded.
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
SEED = ROOT / "seeds" / "001_b50851294415a046.txt"
# Debian packages the tests drive for real, by a file each installs.
TEST_PACKAGES = {
    Path("/usr/bin/chromium"): "chromium",  # browser tests, through Playwright
    Path("/usr/sbin/nginx"): "nginx-light",  # the deployment's reverse proxy (deploy/nginx.conf)
    # LibreOffice Calc itself (soffice alone may be only Writer): the print test converts the meeting workbook to PDF.
    Path("/usr/lib/libreoffice/program/libsclo.so"): "libreoffice-calc-nogui",
    # LibreOffice Writer and poppler: the official report's test converts the .docx to PDF and renders its pages.
    Path("/usr/lib/libreoffice/program/libswlo.so"): "libreoffice-writer-nogui",
    Path("/usr/bin/pdftoppm"): "poppler-utils",
}


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def ensure_venv() -> None:
    if sys.version_info[:2] != (3, 11):
        say(f"Cảnh báo: dự án dùng Python 3.11, đang chạy {sys.version.split()[0]}")
    if not PYTHON.exists():
        say("Tạo môi trường ảo .venv")
        run(sys.executable, "-m", "venv", VENV)
    requirements = (ROOT / "requirements.txt").read_bytes()
    stamp = VENV / ".requirements.sha256"
    digest = hashlib.sha256(requirements).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        say("Cài đặt thư viện (requirements.txt)")
        run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt")
        stamp.write_text(digest)


def ensure_test_packages() -> None:
    missing = [package for program, package in TEST_PACKAGES.items() if not program.exists()]
    if not missing:
        return
    say(f"Cài gói Debian cho kiểm thử (apt-get install -y {' '.join(missing)})")
    prefix = [] if os.geteuid() == 0 else ["sudo"]
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=False, env=env)
    run(*prefix, "apt-get", "install", "-y", "-qq", *missing, env=env)


def manage(*args) -> None:
    run(PYTHON, "manage.py", *args)


def cmd_run(argv: list[str]) -> None:
    ensure_venv()
    (ROOT / "var").mkdir(exist_ok=True)
    say("Cập nhật cơ sở dữ liệu")
    manage("migrate", "--no-input", "-v", "0")
    say("Nạp chương trình 02-CTr/TU")
    manage("import_programme", SEED)
    manage("ensure_office_user")
    say("Mở http://127.0.0.1:8000 trong trình duyệt (Ctrl+C để dừng)")
    os.execv(PYTHON, [str(PYTHON), "manage.py", "runserver", "127.0.0.1:8000", *argv])


def cmd_test(argv: list[str]) -> None:
    ensure_venv()
    (ROOT / "var").mkdir(exist_ok=True)  # the SQLite test database lives there
    ensure_test_packages()
    db = os.environ.get("DATABASE_URL", "SQLite")
    say(f"Chạy bộ kiểm thử (cơ sở dữ liệu: {db.split('@')[-1]})")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.test")
    # The 15 slowest tests are listed at the end of every run, so a test that starts to cost is seen the day it does.
    result = subprocess.run([str(PYTHON), "-m", "pytest", "--durations=15", *argv], cwd=ROOT, env=env)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"run": cmd_run, "test": cmd_test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    try:
        commands[sys.argv[1]](sys.argv[2:])
    except subprocess.CalledProcessError as exc:
        print(f"Lỗi: lệnh {' '.join(map(str, exc.cmd))} thất bại (mã {exc.returncode})", file=sys.stderr)
        sys.exit(exc.returncode or 1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
