"""Impressum and Zitiervorschlag: printed from the params, generated when missing, escaped."""

import datetime as dt
from types import SimpleNamespace as NS

from sozialplanung.report import impressum
from sozialplanung.report.html_writer import blocks_html


def dp_with(**fields):
    base = {"kommune": "Berlin-Mitte", "report_year": 2021}
    return NS(params=NS(**base, **fields))


def test_impressum_fields_and_own_citation_are_printed_escaped():
    dp = dp_with(impressum={"herausgeber": "Bezirksamt <Mitte> & Co", "kontakt": "sozial@example.org",
                            "stand": dt.date(2022, 3, 31)}, zitiervorschlag="BA Mitte (2022): Sozialbericht.")
    html = str(blocks_html(impressum.section_impressum(dp)))
    assert '<th scope="row">Herausgeber</th><td class="text">Bezirksamt &lt;Mitte&gt; &amp; Co</td>' in html
    assert "<td class=\"text\">31.03.2022</td>" in html and "sozial@example.org" in html
    assert "Zitiervorschlag:</strong> BA Mitte (2022): Sozialbericht." in html
    assert "unvollständig" not in html


def test_citation_is_generated_and_missing_fields_are_named():
    dp = dp_with()  # params without the fields (today's params.py)
    html = str(blocks_html(impressum.section_impressum(dp)))
    assert "fehlt: Herausgeber, Kontakt, Stand." in html
    today = dt.date(2024, 5, 2)
    assert impressum.zitiervorschlag(dp, today) == "Berlin-Mitte (2024): Sozialbericht Berlin-Mitte 2021. Stand: 02.05.2024."


def test_hostile_impressum_from_a_params_file_is_escaped_or_refused(mitte_params):
    import pytest

    from conftest import edit_yaml
    from sozialplanung.errors import SozialplanungError
    from sozialplanung.config.params import read_params

    attack = '<meta http-equiv=refresh content=0;url=https://evil.example/>'
    text = mitte_params.read_text(encoding="utf-8")
    mitte_params.write_text(text + f'impressum:\n  herausgeber: "{attack}"\n  stand: "2022-03-31"\n'
                            f'zitiervorschlag: "<script>alert(1)</script>"\n', encoding="utf-8")
    html = str(blocks_html(impressum.section_impressum(NS(params=read_params(mitte_params)))))
    assert "<meta" not in html and "<script>" not in html
    assert "&lt;meta http-equiv=refresh" in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    edit_yaml(mitte_params, "  stand:", "  stnad:")
    with pytest.raises(SozialplanungError) as err:
        read_params(mitte_params)
    assert "stnad" in str(err.value) and "stand" in str(err.value)
