"""Markdown of knowledge posts: CommonMark with tables, footnotes, code and math, always safe."""

from __future__ import annotations

from fedihub.knowledge import markdown, search


def test_tables_footnotes_and_fenced_code_are_rendered() -> None:
    out = markdown.render(
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n\nSee[^1].\n\n```python\nx = '<b>'\n```\n\n[^1]: a note\n"
    )
    assert "<table>" in out and '<td style="text-align:center">2</td>' in out
    assert '<a href="#fn1" id="fnref1"' in out and 'id="fn1"' in out
    assert "<pre><code class=\"language-python\">x = '&lt;b&gt;'" in out


def test_latex_becomes_mathml_with_the_tex_beside_it() -> None:
    out = markdown.render("Euler: $e^{i\\pi}+1=0$\n\n$$\n\\frac{a}{b}\n$$\n")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in out
    assert '<annotation encoding="application/x-tex">e^{i\\pi}+1=0</annotation>' in out
    assert 'display="block"' in out and "<mfrac>" in out


def test_bad_tex_stays_as_its_text() -> None:
    out = markdown.render("$\\frac{$")
    assert "<script" not in out


def test_script_style_raw_html_and_javascript_links_never_survive() -> None:
    out = markdown.render(
        "<script>alert(1)</script>\n\n<style>p{}</style>\n\n[x](javascript:alert(1)) "
        '<img src=x onerror=alert(1)> ![i](javascript:alert(2)) <a href="/local">l</a>'
    )
    assert "<script" not in out and "<style" not in out and "<img" not in out
    assert 'href="javascript' not in out and "onerror=alert(1)>" not in out
    assert "&lt;script&gt;" in out  # raw HTML is shown as text


def test_headings_are_kept_and_h1_becomes_h2() -> None:
    assert markdown.render("# Title\n\n## Part").startswith("<h2>Title</h2>\n<h2>Part</h2>")


def test_chinese_is_indexed_as_bigrams() -> None:
    assert search.terms("机器学习 ML") == ["机器", "器学", "学习", "ml"]
    assert search.terms("猫") == ["猫"]
