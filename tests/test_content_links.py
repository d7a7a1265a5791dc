"""Symbolic links in the content folder (issue #16, finding 7): nothing outside the content
root is read, imported, previewed or served, and a link that leads out is a validation error."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from courses.content.parser import load_content
from courses.importer import import_content
from courses.models import Lesson
from tests.factories import make_tree, make_user, write_file

pytestmark = pytest.mark.django_db
SECRET = "root:x:0:0:the secret line\n"


@pytest.fixture
def outside(tmp_path):
    return write_file(tmp_path / "elsewhere" / "secret.txt", SECRET)


def test_an_image_link_leading_out_is_never_served(client, content_root, outside):
    make_tree(content_root, lessons=1)
    import_content(content_root)
    (content_root / "black-box" / "leak.png").symlink_to(outside)
    (content_root / "black-box" / "images").symlink_to(outside.parent, target_is_directory=True)
    for url in ("/courses/black-box/files/leak.png", "/courses/black-box/files/images/x.png"):
        response = client.get(url)
        assert response.status_code == 404
        assert SECRET.encode() not in b"".join(getattr(response, "streaming_content", [b""]))


def test_a_link_inside_the_content_folder_still_works(client, content_root):
    make_tree(content_root, lessons=1)
    write_file(content_root / "black-box" / "real.png", b"\x89PNG\r\n\x1a\nfake")
    (content_root / "black-box" / "alias.png").symlink_to(content_root / "black-box" / "real.png")
    import_content(content_root)
    assert client.get("/courses/black-box/files/alias.png").status_code == 200
    assert not load_content(content_root)[1]


@pytest.mark.parametrize(
    ("name", "is_dir", "shown"),
    [
        ("black-box/02-leak.md", False, "black-box/02-leak.md"),
        ("black-box/leak.png", False, "black-box/leak.png"),
        ("stolen", True, "stolen"),
    ],
)
def test_a_link_leading_out_is_a_validation_error(content_root, outside, name, is_dir, shown):
    make_tree(content_root, lessons=1)
    target = outside.parent if is_dir else outside
    (content_root / name).symlink_to(target, target_is_directory=is_dir)
    _, problems = load_content(content_root)
    messages = [str(problem) for problem in problems]
    assert any(
        message.endswith(
            f"{shown}:1: this {'folder' if is_dir else 'file'} is a link that "
            "leads outside the content folder"
        )
        for message in messages
    ), messages
    assert not any("secret line" in message for message in messages)
    with pytest.raises(Exception, match="problem"):
        import_content(content_root)
    assert Lesson.objects.count() == 0  # nothing half-imported
    with pytest.raises(SystemExit):
        call_command("validate_content", str(content_root))


def test_the_preview_never_shows_a_linked_file(client, content_root, outside):
    make_tree(content_root, lessons=1)
    (content_root / "black-box" / "02-leak.md").symlink_to(outside)
    staff = make_user("staff")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert "02-leak.md" not in client.get("/reports/preview/").content.decode()
    response = client.get("/reports/preview/?path=black-box/02-leak.md")
    assert response.status_code == 404 and b"secret line" not in response.content


def test_file_inside_names_only_regular_files_that_stay_in_the_folder(tmp_path):
    from courses.content.confinement import file_inside

    root, outside = tmp_path / "content", tmp_path / "secret.png"
    (root / "c").mkdir(parents=True)
    outside.write_bytes(b"x")
    (root / "c" / "real.png").write_bytes(b"x")
    (root / "c" / "leak.png").symlink_to(outside)
    assert file_inside(root, "c", "real.png") == root / "c" / "real.png"
    for parts in (
        ("c", "leak.png"),  # a link out
        ("c", "../../secret.png"),  # climbing out
        ("c", str(outside)),  # an absolute part
        ("c",),  # a folder
        ("c", "missing.png"),
        ("c", "real.png\x00.txt"),  # a NUL
        ("c", "a" * 300 + ".png"),  # longer than the system allows
    ):
        assert file_inside(root, *parts) is None, parts
