"""Loading and validating the registry CSV: what is accepted, and where each error points."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from dsl.diagnostics import PolicyError, render
from engine.registry.load import Institution, Registry, load_registry, parse_registry
from dsl.spans import Source

FIXTURES = Path(__file__).parent / "fixtures" / "registry"
HEADER = "id,name,category,lat,lon"
KNOWN = ("综合医院", "中医医院", "零售药店")


def write(tmp_path: Path, text: str, name: str = "reg.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def errors(path: Path, categories=None):
    with pytest.raises(PolicyError) as info:
        load_registry(path, categories)
    return info.value.diagnostics


# -- what is accepted --------------------------------------------------------------------


def test_loads_rows_in_file_order_with_lines():
    reg = load_registry(FIXTURES / "shenyang.csv")
    assert len(reg) == 11
    first = reg.institutions[0]
    assert first == Institution("SY-G001", "中国医科大学附属第一医院", "综合医院", 41.7948, 123.4026, 2)
    assert [i.line for i in reg] == list(range(2, 13))
    assert reg["SY-P001"].name == "成大方圆大药房(和平南京街店)"  # quotes removed
    assert reg.get("nope") is None and "SY-T002" in reg and "nope" not in reg
    assert reg.categories == {"综合医院", "中医医院", "零售药店", "基层医疗机构"}
    assert reg.source is not None and reg.source.path.endswith("shenyang.csv")


def test_bom_crlf_reordered_and_extra_columns_quotes_and_blank_lines():
    raw = (FIXTURES / "bom_extra_columns.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # the fixture really has both
    reg = load_registry(FIXTURES / "bom_extra_columns.csv")
    assert [(i.id, i.name, i.category, i.lat, i.lon, i.line) for i in reg] == [
        ("H001", "医院,总院", "综合医院", 41.7948, 123.4026, 2),
        ("H002", '盛京"南湖"院区', "综合医院", 41.7790, 123.4378, 3),
        # line 4 is blank; the ideographic spaces around P001 and the spaces around the
        # category are not part of the values
        ("P001", "大药房", "零售药店", 41.7880, 123.3990, 5),
    ]


def test_bom_does_not_shift_columns_of_line_one(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,name,category,latitude,lon\n")
    (diag,) = errors(path)
    assert (diag.code, diag.span.line, diag.span.column) == ("R004", 1, 1)
    assert diag.span.end_column == len("id,name,category,latitude,lon") + 1


def test_header_only_is_an_empty_registry(tmp_path):
    reg = load_registry(write(tmp_path, HEADER + "\n"))
    assert len(reg) == 0 and reg.categories == frozenset()


def test_boundary_coordinates_are_accepted(tmp_path):
    text = f"{HEADER}\nA,a,x,90,180\nB,b,x,-90,-180\nC,c,x,+0.5e1,-.5\n"
    reg = load_registry(write(tmp_path, text))
    assert [(i.lat, i.lon) for i in reg] == [(90.0, 180.0), (-90.0, -180.0), (5.0, -0.5)]


def test_known_categories_accept_their_rows(tmp_path):
    reg = load_registry(FIXTURES / "shenyang.csv", categories=KNOWN + ("基层医疗机构",))
    assert len(reg) == 11


# -- one case per kind of bad row --------------------------------------------------------
# (row after the header, categories, code, column, end column, message, help fragment)
ROW_CASES = {
    "empty id": (",甲,综合医院,41.79,123.40", None, "R008", 1, 1, "empty institution id", "`id`"),
    "blank id": ("   ,甲,综合医院,41.79,123.40", None, "R008", 1, 1, "empty institution id", "`id`"),
    "missing lat": ("H1,甲,综合医院,,123.40", None, "R012", 11, 11, "missing latitude", "e.g. `41.79`"),
    "missing lon": ("H1,甲,综合医院,41.79,", None, "R012", 17, 17, "missing longitude", "`lon`"),
    "text lat": ("H1,甲,综合医院,abc,123.40", None, "R013", 11, 14, "latitude `abc` is not a number", "decimal"),
    "dms lat": ("H1,甲,综合医院,41°47',123.40", None, "R013", 11, 17, "latitude `41°47'` is not a number",
                "degrees-minutes-seconds"),
    "nan lon": ("H1,甲,综合医院,41.79,nan", None, "R013", 17, 20, "longitude `nan` is not a number", "decimal"),
    "full-width digits": ("H1,甲,综合医院,４１.７９,123.40", None, "R013", 11, 16,
                          "latitude `４１.７９` is not a number", "ASCII digits"),
    "overflow": ("H1,甲,综合医院,1e999,123.40", None, "R013", 11, 16, "latitude `1e999` is not a finite number",
                 "decimal"),
    "lat too big": ("H1,甲,综合医院,90.5,123.40", None, "R014", 11, 15, "latitude `90.5` is outside [-90, 90]",
                    "decimal degrees"),
    "lat/lon swapped": ("H1,甲,综合医院,123.40,41.79", None, "R014", 11, 17,
                        "latitude `123.40` is outside [-90, 90]", "did you swap `lat` and `lon`?"),
    "lon too small": ("H1,甲,综合医院,41.79,-180.01", None, "R014", 17, 24,
                      "longitude `-180.01` is outside [-180, 180]", "decimal degrees"),
    "empty category": ("H1,甲,,41.79,123.40", KNOWN, "R010", 6, 6, "empty category", "known categories"),
    "misspelt category": ("H1,甲,综和医院,41.79,123.40", KNOWN, "R011", 6, 10, "unknown category `综和医院`",
                          "did you mean `综合医院`"),
    "foreign category": ("H1,甲,hospital,41.79,123.40", KNOWN, "R011", 6, 14, "unknown category `hospital`",
                         "known categories: `中医医院`, `综合医院`, `零售药店`"),
    "too many fields": ("H1,甲,综合医院,41.79,123.40,x", None, "R006", 24, 25, "expected 5 fields, found 6",
                        'quote a field that contains a comma'),
    "too few fields": ("H1,甲,综合医院,41.79", None, "R006", 16, 16, "expected 5 fields, found 4", "5 columns"),
    "unterminated quote": ('H1,"甲,综合医院,41.79,123.40', None, "R007", 4, 5, "unterminated quoted field",
                           "cannot span lines"),
    "text after quote": ('H1,"甲"院,综合医院,41.79,123.40', None, "R007", 7, 8,
                         "unexpected text after a closing quote", '`""`'),
}


@pytest.mark.parametrize("case", ROW_CASES.values(), ids=ROW_CASES.keys())
def test_bad_row(tmp_path, case):
    row, categories, code, column, end_column, message, help_part = case
    (diag,) = errors(write(tmp_path, f"{HEADER}\nOK,好,综合医院,41.79,123.40\n{row}\n"), categories)
    assert diag.code == code
    assert (diag.span.line, diag.span.column, diag.span.end_column) == (3, column, end_column)
    assert diag.message == message
    assert help_part in diag.help
    assert diag.span.path.endswith("reg.csv")


def test_messages_follow_the_house_style(tmp_path):
    for row, categories, *_ in ROW_CASES.values():
        for diag in errors(write(tmp_path, f"{HEADER}\n{row}\n"), categories):
            assert diag.message[0].islower() or not diag.message[0].isalpha()
            assert not diag.message.endswith(".") and not diag.help.endswith(".")


def test_caret_underlines_the_field():
    # Columns count characters, and the caret is drawn under CJK text at double width.
    source = Source("reg.csv", f"{HEADER}\nH1,甲,综和医院,41.79,123.40\n")
    with pytest.raises(PolicyError) as info:
        parse_registry(source, KNOWN)
    assert render(info.value.diagnostics[0]).splitlines() == [
        "reg.csv:2:6: error[R011]: unknown category `综和医院`",
        "   2 | H1,甲,综和医院,41.79,123.40",
        "     |       ^^^^^^^^",
        "  help: did you mean `综合医院`, `中医医院`?",
    ]


def test_quoted_field_span_includes_its_quotes(tmp_path):
    (diag,) = errors(write(tmp_path, f'{HEADER}\nH1,甲," bad ",41.79,123.40\n'), KNOWN)
    assert (diag.code, diag.span.column, diag.span.end_column) == ("R011", 6, 13)
    assert diag.message == "unknown category `bad`"


# -- duplicates --------------------------------------------------------------------------


def test_duplicate_id_points_at_second_with_label_at_first(tmp_path):
    text = f"{HEADER}\nH1,甲,x,41.79,123.40\nH2,乙,x,41.80,123.40\n  H1,丙,x,41.81,123.40\n"
    (diag,) = errors(write(tmp_path, text))
    assert diag.code == "R009" and diag.message == "duplicate institution id `H1`"
    assert (diag.span.line, diag.span.column, diag.span.end_column) == (4, 3, 5)
    (label,) = diag.labels
    assert (label.span.line, label.span.column, label.span.end_column) == (2, 1, 3)
    assert label.message == "first defined here"
    assert "line 2" in diag.help


def test_every_later_duplicate_points_at_the_first(tmp_path):
    text = f"{HEADER}\nH1,a,x,1,1\nH1,b,x,2,2\nH1,c,x,3,3\n"
    diags = errors(write(tmp_path, text))
    assert [(d.code, d.span.line, d.labels[0].span.line) for d in diags] == [("R009", 3, 2), ("R009", 4, 2)]


def test_duplicate_of_a_bad_row_is_still_reported(tmp_path):
    text = f"{HEADER}\nH1,a,x,91,1\nH1,b,x,2,2\n"
    assert [(d.code, d.span.line) for d in errors(write(tmp_path, text))] == [("R014", 2), ("R009", 3)]


# -- header ------------------------------------------------------------------------------


def test_missing_column_is_reported_at_line_one_with_a_suggestion(tmp_path):
    (diag,) = errors(write(tmp_path, "id,name,category,latitude,lon\nH1,a,x,1,1\n"))
    assert (diag.code, diag.span.line, diag.span.column) == ("R004", 1, 1)
    assert diag.message == "registry header lacks column `lat`"
    assert diag.help.startswith("did you mean `latitude`?")
    assert "`id`, `name`, `category`, `lat` and `lon`" in diag.help


def test_every_missing_column_is_reported(tmp_path):
    diags = errors(write(tmp_path, "编号,名称,category,lat,lon\n"))
    assert [d.message for d in diags] == ["registry header lacks column `id`", "registry header lacks column `name`"]


def test_header_names_ignore_case_and_spaces(tmp_path):
    reg = load_registry(write(tmp_path, " ID ,Name,CATEGORY,Lat,LON\nH1,a,x,1,2\n"))
    assert reg["H1"].lon == 2.0


def test_duplicate_required_column(tmp_path):
    (diag,) = errors(write(tmp_path, "id,name,category,lat,lon,LAT\nH1,a,x,1,2,3\n"))
    assert (diag.code, diag.span.column, diag.span.end_column) == ("R005", 26, 29)
    assert diag.labels[0].span.column == 18


def test_repeated_extra_columns_are_harmless(tmp_path):
    assert len(load_registry(write(tmp_path, f"{HEADER},备注,备注\nH1,a,x,1,2,,\n"))) == 1


@pytest.mark.parametrize("text", ["", "\n\n", "  \n"])
def test_empty_file(tmp_path, text):
    (diag,) = errors(write(tmp_path, text))
    assert (diag.code, diag.message, diag.span.line) == ("R003", "registry is empty", 1)


# -- files that cannot be read -----------------------------------------------------------


def test_missing_file(tmp_path):
    (diag,) = errors(tmp_path / "nope.csv")
    assert diag.code == "R001" and diag.message.startswith("cannot read registry `")
    assert diag.message.endswith("nope.csv`: no such file or directory")
    assert diag.headline().startswith(str(tmp_path / "nope.csv") + ": error[R001]")


def test_directory(tmp_path):
    (diag,) = errors(tmp_path)
    assert diag.code == "R001" and "is a directory" in diag.message


def test_gbk_file_is_reported_with_its_line(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes(f"{HEADER}\nH1,医院,综合医院,41.79,123.40\n".encode("gbk"))
    (diag,) = errors(path)
    assert (diag.code, diag.span.line) == ("R002", 2)
    assert "GBK" in diag.help
    assert render(diag)  # the snippet can be drawn despite the bad bytes


# -- many errors at once, and never a traceback ------------------------------------------


def test_all_row_errors_are_collected_in_order():
    diags = errors(FIXTURES / "bad_rows.csv", KNOWN)
    assert [(d.code, d.span.line, d.span.column) for d in diags] == [
        ("R008", 3, 1),
        ("R011", 4, 10),
        ("R009", 5, 1),
        ("R014", 5, 15),
        ("R012", 6, 15),
        ("R013", 7, 15),
        ("R006", 8, 20),
    ]


def test_random_garbage_never_raises_anything_but_policy_error(tmp_path):
    rng = random.Random(20250601)
    alphabet = ['"', ",", " ", "\u3000", "1", ".", "-", "e", "9", "x", "综", "\t", "\r", "\ufeff", "\u2028"]
    for trial in range(300):
        lines = [HEADER] + ["".join(rng.choices(alphabet, k=rng.randint(0, 25))) for _ in range(rng.randint(0, 6))]
        try:
            load_registry(write(tmp_path, "\n".join(lines)), KNOWN if trial % 2 else None)
        except PolicyError as exc:
            assert exc.diagnostics
            for d in exc.diagnostics:
                assert d.code.startswith("R") and d.span.line >= 1
                assert 1 <= d.span.column <= d.span.end_column <= len(d.span.source.line(d.span.line)) + 1
                assert render(d)


def test_registry_rejects_duplicate_ids_when_built_directly():
    inst = Institution("A", "a", "x", 1.0, 2.0, 2)
    with pytest.raises(ValueError):
        Registry([inst, inst])
