"""Names and text from a model or a user in the generated C: escaped, or refused with a reason."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
import tf_models
from library_build import STRICT_C, STRICT_CXX, compile_objects, global_symbols

from tinygen.cli import main
from tinygen.codegen.c_values import (
    MAX_STRING_BYTES,
    CText,
    c_comment_text,
    c_identifier,
    c_string_literal,
    checked_library_name,
    name_problem,
)
from tinygen.codegen.model_source import _placed
from tinygen.compiler import compile_graph
from tinygen.dsp.blocks import generate_block
from tinygen.errors import EXIT_USAGE, TinygenError
from tinygen.frontend.tflite import parse_tflite
from tinygen.package.folder import write_library

HOSTILE = [
    '*/ #include "x.h" /*',
    "/* nested",
    "// line comment \\",
    'a "quoted" name',
    "back\\slash\\",
    "new\nline\n#define EVIL 1\nint evil;",
    "carriage\rreturn\r#define EVIL 2",
    "trigraph ??/",
    "??=define EVIL 3",
    '??/\n#include "x.h"',
    '#include "x.h"',
    "#define tg_fully_connected_s8 evil",
    "%s%n%d",
    "x" * 10_000,
    "nul\0byte",
    "tab\there",
    "é, 😀 and a line\u2028separator",
    "",
]
TRIGRAPH_C = [*STRICT_C, "-trigraphs"]
TRIGRAPH_CXX = [*STRICT_CXX, "-trigraphs"]


@pytest.fixture(scope="module")
def two_layers() -> bytes:
    """FULLY_CONNECTED, FULLY_CONNECTED, RESHAPE: inputs, an intermediate, an alias, constants."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    w1, w2 = (tf.constant(rng.normal(size=s).astype(np.float32)) for s in ((16, 8), (8, 8)))
    b1, b2 = (tf.constant(rng.normal(size=(8,)).astype(np.float32)) for _ in range(2))
    return tf_models.convert(
        lambda x: tf.reshape(tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2) + b2, (1, 2, 4)),
        (1, 16),
    )


@pytest.fixture(scope="module")
def dense(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("models") / "dense.tflite"
    path.write_bytes(tf_models.dense_model())
    return path


def _library(data: bytes, out: Path, names: list[str], description: str) -> list[str]:
    """Write library ``lib`` of the model with tensor ``i`` named ``names[i % len]``."""
    graph = parse_tflite(data)
    for i, tensor in enumerate(graph.tensors):
        tensor.name = names[i % len(names)]
    graph.description = description
    model = compile_graph(graph, "lib")
    write_library(model, out)
    return [model.graph.tensors[op.outputs[0]].name for op in model.graph.ops]


_TRIGRAPHS = dict(zip("=(/)'<!>-", "#[\\]^{|}~", strict=True))


def _comments_and_code(text: str) -> tuple[list[str], str]:
    """The comments of C ``text`` and the text without them, as a compiler run with
    -trigraphs sees it: trigraphs replaced and lines spliced first."""
    text = re.sub(r"\?\?([=(/)'<!>-])", lambda m: _TRIGRAPHS[m.group(1)], text)
    text = text.replace("\\\n", "")
    comments, code, i = [], [], 0
    token = re.compile(r'/\*.*?\*/|//[^\n]*|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
    for match in token.finditer(text):
        code.append(text[i : match.start()])
        if match.group().startswith("/"):
            comments.append(match.group())
            code.append(" ")
        else:
            code.append(match.group())
        i = match.end()
    code.append(text[i:])
    return comments, "".join(code)


def _preprocessed(library: Path, source: Path) -> str:
    return subprocess.run(
        ["gcc", "-std=c99", "-trigraphs", "-E", "-P", str(source),
         f"-I{library / 'include'}", f"-I{library / 'src'}"],
        check=True, capture_output=True, text=True,
    ).stdout


@pytest.mark.parametrize("shift", range(len(HOSTILE)))
def test_hostile_names_stay_in_their_comments(
    two_layers: bytes, tmp_path: Path, shift: int
) -> None:
    plain = tmp_path / "plain"
    _library(two_layers, plain, [f"t{i}" for i in range(64)], "MLIR Converted.")
    hostile = tmp_path / "hostile"
    names = HOSTILE[shift:] + HOSTILE[:shift]
    outputs = _library(two_layers, hostile, names, names[-1])
    # Every source builds warning-free as C99 (trigraphs on and off) and as C++.
    for i, compiler in enumerate((TRIGRAPH_C, STRICT_C, TRIGRAPH_CXX)):
        compile_objects(hostile, compiler, tmp_path / f"obj{i}")
    files = sorted(p.relative_to(hostile) for p in hostile.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(plain) for p in plain.rglob("*") if p.is_file())
    for rel in files:
        text = (hostile / rel).read_text()
        if rel.name == "report.json":  # JSON keeps the names exactly
            report = json.loads(text)
            assert [op["output"] for op in report["ops"]] == outputs
            continue
        assert re.fullmatch(r"[\x20-\x7e\n]*", text), f"{rel}: not plain printable ASCII"
        assert "??" not in text and "\\\n" not in text, rel
        injected = r'^\s*(#|%:)\s*(include\s*"x\.h"|define\s+(EVIL|tg_\w+\s+evil))'
        assert not re.search(injected, text, re.M), rel
        comments, code = _comments_and_code(text)
        plain_comments, plain_code = _comments_and_code((plain / rel).read_text())
        # Only comments differ, one for one, each over the same lines as before.
        assert code == plain_code, rel
        assert len(comments) == len(plain_comments), rel
        for comment, plain_comment in zip(comments, plain_comments, strict=True):
            assert comment.count("\n") == plain_comment.count("\n"), comment
            assert "/*" not in comment[2:], comment
    # The compiler's own view agrees: the preprocessed sources are the same.
    for source in sorted((hostile / "src").glob("*.c")):
        plain_source = plain / "src" / source.name
        assert _preprocessed(hostile, source) == _preprocessed(plain, plain_source)


def test_header_comment_stays_readable(two_layers: bytes, tmp_path: Path) -> None:
    _library(two_layers, tmp_path / "lib", ['*/ #include "x.h" /*'], "")
    header = (tmp_path / "lib" / "include" / "lib.h").read_text()
    assert "/* input 0: '* / #include \"x.h\" / *' int8_t [1, 16] */" in header


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('*/ #include "x.h" /*', '* / #include "x.h" / *'),
        ("/*/", "/ * /"),
        ("a\nb\r\0\t", "a\\x0ab\\x0d\\x00\\x09"),
        ("??/ ???=", "? ?/ ? ? ?="),
        ("ends in \\", "ends in \\x5c"),
        ("a\\b", "a\\b"),
        ("é😀\u2028", "\\u00e9\\U0001f600\\u2028"),
        ("// %s", "// %s"),
        ("x" * 121, "x" * 117 + "..."),
        ("x" * 120, "x" * 120),
        ("é" * 30, "\\u00e9" * 19 + "..."),
    ],
)
def test_comment_text(text: str, expected: str) -> None:
    assert c_comment_text(text) == expected


def test_comment_text_is_always_safe() -> None:
    rng = np.random.default_rng(5)
    alphabet = [*"*/?\\\n\r\0 \"'#=", "é", "😀", "\u2028", "a"]
    texts = HOSTILE + ["".join(rng.choice(alphabet, size=n)) for n in rng.integers(0, 60, 500)]
    for text in texts:
        for limit in (4, 10, 120):
            out = c_comment_text(text, limit)
            assert len(out) <= limit and re.fullmatch(r"[\x20-\x7e]*", out), (text, out)
            assert not re.search(r"/\*|\*/|\?\?|\\\Z", out), (text, out)


ROUND_TRIP = [
    *[t for t in HOSTILE if "\0" not in t and len(t.encode()) <= MAX_STRING_BYTES],
    "é1234 and \x017 and \x7f9: an escape must not take the digits after it",
    "?" * 7 + '?"?\\?',
    "\\",
    '"',
    "é" * 2047 + "x",  # 4095 bytes, the longest literal C99 promises
]


def test_string_literals_hold_the_exact_bytes(tmp_path: Path) -> None:
    literals = [c_string_literal(t) for t in ROUND_TRIP]
    program = tmp_path / "strings.c"
    program.write_text(
        "#include <stdio.h>\n#include <string.h>\n"
        "static const char *const texts[] = {\n    "
        + ",\n    ".join(literals)
        + "\n};\nstatic const size_t sizes[] = {\n    "
        + ",\n    ".join(f"sizeof({lit}) - 1" for lit in literals)
        + "\n};\n"
        "int main(void)\n{\n    size_t i;\n"
        "    for (i = 0; i < sizeof sizes / sizeof sizes[0]; ++i) {\n"
        "        if (strlen(texts[i]) != sizes[i]) return 1;\n"
        '        printf("%lu\\n", (unsigned long)sizes[i]);\n'
        "        fwrite(texts[i], 1, sizes[i], stdout);\n    }\n    return 0;\n}\n"
    )
    for i, compiler in enumerate((TRIGRAPH_C, STRICT_C, TRIGRAPH_CXX, [*STRICT_CXX, "-pedantic"])):
        exe = tmp_path / f"strings{i}"
        built = subprocess.run([*compiler, str(program), "-o", str(exe)], capture_output=True)
        assert built.returncode == 0 and not built.stderr, built.stderr.decode()
        out = subprocess.run([str(exe)], check=True, capture_output=True).stdout
        printed = []
        while out:
            size, out = out.split(b"\n", 1)
            printed.append(out[: int(size)])
            out = out[int(size) :]
        assert printed == [t.encode() for t in ROUND_TRIP], compiler


@pytest.mark.parametrize(
    ("text", "reason"),
    [("label\0with a NUL", "NUL"), ("é" * 2048, "4096 UTF-8 bytes"), ("\ud800", "Unicode")],
)
def test_string_literal_refuses_what_c_cannot_hold(text: str, reason: str) -> None:
    with pytest.raises(TinygenError, match=reason) as error:
        c_string_literal(text)
    assert error.value.exit_code == EXIT_USAGE


def test_template_values_must_be_escaped() -> None:
    for raw in ('*/ #include "x.h" /*', "a\nint evil;", "a\rb", "??=", "é", "a // b"):
        with pytest.raises(ValueError, match="unescaped text"):
            _placed(raw)
        assert _placed(CText(raw)) == raw
    assert _placed(17) == 17 and _placed("tg_add_s8(&lib_p0, NULL);") is not None


def test_mixed_case_name_is_kept(dense: Path, tmp_path: Path) -> None:
    out = tmp_path / "lib"
    assert main(["generate-library", str(dense), "-o", str(out), "--name", "MyModel"]) == 0
    header = (out / "include" / "MyModel.h").read_text().splitlines()
    assert header.count("#ifndef TINYGEN_MYMODEL_H") == 1
    assert {"int MyModel_invoke(void);", "void *MyModel_input(int index);"} <= set(header)
    macros = {line.split()[1] for line in header if line.startswith("#define ")}
    assert {"MYMODEL_ARENA_BYTES", "MYMODEL_INPUT0_BYTES", "MYMODEL_OUTPUT0_SCALE"} <= macros
    assert all(m.startswith("MYMODEL_") or m == "TINYGEN_MYMODEL_H" for m in macros), macros
    names = (out / "src" / "tg_names.h").read_text()
    assert "#define tg_fully_connected_s8 MyModel_fully_connected_s8" in names
    assert "add_library(MyModel STATIC" in (out / "CMakeLists.txt").read_text()
    assert json.loads((out / "report.json").read_text())["name"] == "MyModel"
    symbols = global_symbols(compile_objects(out, STRICT_C, tmp_path / "obj"))
    assert symbols and all(s.startswith("MyModel_") for s in symbols), symbols


def test_names_differing_in_case_link_into_one_program(dense: Path, tmp_path: Path) -> None:
    """MyModel and mymodel share their macros (documented), so each header goes in its
    own translation unit; the functions and symbols stay apart."""
    objects: list[Path] = []
    for name in ("MyModel", "mymodel"):
        args = ["generate-library", str(dense), "-o", str(tmp_path / name), "--name", name]
        assert main(args) == 0
        objects += compile_objects(tmp_path / name, STRICT_C, tmp_path / f"obj_{name}")
        unit = tmp_path / f"use_{name}.c"
        unit.write_text(
            f'#include "{name}.h"\nint use_{name}(void);\n'
            f"int use_{name}(void) {{ return {name}_invoke() + {name.upper()}_INPUT_COUNT - 1; }}\n"
        )
        obj = tmp_path / f"use_{name}.o"
        subprocess.run([*STRICT_C, "-c", str(unit), f"-I{tmp_path / name / 'include'}",
                        "-o", str(obj)], check=True)
        objects.append(obj)
    main_c = tmp_path / "main.c"
    main_c.write_text(
        "int use_MyModel(void);\nint use_mymodel(void);\n"
        "int main(void) { return use_MyModel() + use_mymodel(); }\n"
    )
    exe = tmp_path / "both"
    subprocess.run([*STRICT_C, str(main_c), *map(str, objects), "-o", str(exe)], check=True)
    assert subprocess.run([str(exe)]).returncode == 0


BAD_NAMES = [
    ("9lives", "starts with a digit", "m_9lives"),
    ("int", "C keyword", "int_model"),
    ("class", "C++ keyword", "class_model"),
    ("my-model", "'-'", "my_model"),
    ("my model", "' '", "my_model"),
    ("caf\u00e9", "'\\xe9'", "caf"),
    ("__x", "__", "x"),
    ("_X", "_ and an uppercase letter", "X"),
    ("_x", "_X_*", "x"),
    ("x" * 64, "64 characters", "x" * 63),
    ("tg_net", "TG_NET_*", "m_tg_net"),
    ("Tg", "runtime", "m_Tg"),
    ("", "empty", "model"),
]


@pytest.mark.parametrize(("name", "reason", "suggestion"), BAD_NAMES)
def test_bad_name_is_refused_with_a_reason(
    dense: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    name: str, reason: str, suggestion: str,
) -> None:
    out = tmp_path / "out"
    assert main(["generate-library", str(dense), "-o", str(out), "--name", name]) == EXIT_USAGE
    message = capsys.readouterr().err.strip()
    assert message.count("\n") == 0 and message.startswith("tinygen: error: --name"), message
    assert reason in message and f"use for example {suggestion!r}" in message, message
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert checked_library_name(suggestion) == suggestion


def test_every_command_checks_the_name(
    dense: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    picture = tmp_path / "plan.svg"
    config = tmp_path / "block.json"
    config.write_text(json.dumps({"block": "raw", "input_length": 6, "axes": 3}))
    for args in (
        ["verify", str(dense), "--runs", "1"],
        ["report", str(dense), "--picture", str(picture)],
        ["generate-dsp", str(config), "-o", str(tmp_path / "dsp")],
    ):
        assert main([*args, "--name", "my-model"]) == EXIT_USAGE, args
        assert "use for example 'my_model'" in capsys.readouterr().err, args
    assert sorted(p.name for p in tmp_path.iterdir()) == ["block.json"]


def test_default_name_is_the_file_stem_made_an_identifier(dense: Path, tmp_path: Path) -> None:
    for stem, expected in (("My Model-2", "my_model_2"), ("tg_kernels", "m_tg_kernels")):
        model = tmp_path / f"{stem}.tflite"
        model.write_bytes(dense.read_bytes())
        out = tmp_path / expected
        assert main(["generate-library", str(model), "-o", str(out)]) == 0
        assert (out / "include" / f"{expected}.h").is_file()
    runtime = (tmp_path / "m_tg_kernels" / "src" / "tg_kernels.h").read_text()
    assert "#ifndef TG_KERNELS_H" in runtime  # the runtime header, not the model's
    for text in [*HOSTILE, "int", "Class", "9", "__init__", "TG", "x" * 80 + "_y"]:
        assert name_problem(c_identifier(text)) is None, text


def test_dsp_name_from_json_is_kept_or_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "block.json"
    doc = {"block": "raw", "input_length": 6, "axes": 3, "name": "MyBlock"}
    config.write_text(json.dumps(doc))
    assert main(["generate-dsp", str(config), "-o", str(tmp_path / "a")]) == 0
    header = (tmp_path / "a" / "include" / "MyBlock.h").read_text()
    assert "int MyBlock_run(const float *input, float *output);" in header
    assert "#define MYBLOCK_INPUT_LENGTH 6" in header
    for bad, reason in (("my-block", "use for example 'my_block'"), (7, "must be a string")):
        config.write_text(json.dumps({**doc, "name": bad}))
        assert main(["generate-dsp", str(config), "-o", str(tmp_path / "b")]) == EXIT_USAGE
        message = capsys.readouterr().err
        assert f'"name" in {config}' in message and reason in message, message
        assert not (tmp_path / "b").exists()
    # --name wins over the JSON's name
    assert main(["generate-dsp", str(config), "-o", str(tmp_path / "c"), "--name", "Ok"]) == 0
    assert (tmp_path / "c" / "include" / "Ok.h").is_file()
    with pytest.raises(TinygenError, match=r"the block name must be a C identifier.*__"):
        generate_block({"block": "raw", "input_length": 6}, "__x")
