"""Tables 1 and 2: booktabs layout like the paper, best value per row in bold, stars by test."""

from __future__ import annotations

import re

import pytest

from study.analysis.exports import analyse
from study.analysis.services import simulate_raters
from study.analysis.tables import table1_tex, table2_tex, tables_md
from tests.study.analysis.helpers import paper_study, set_metrics

pytestmark = pytest.mark.django_db

METHODS = ("nearest", "srresnet-mse", "srgan-mse", "srgan-vgg54", "hr")


def study_with(quality: dict[str, float]):
    small = paper_study(methods=METHODS, images=6, raters=1, retest=False)
    set_metrics(
        small,
        {
            "nearest": (24.0, 0.60, 0.65),
            "srresnet-mse": (30.004, 0.90, 0.91),  # best PSNR and SSIM of every row
            "srgan-mse": (27.0, 0.80, 0.82),
            "srgan-vgg54": (26.0, 0.78, 0.80),
        },
    )
    simulate_raters(study=small.study, count=30, seed=5, quality=quality, noise_sd=0.4)
    return analyse(study=small.study)


def rows(tex: str) -> dict[str, list[str]]:
    """Body rows of a tabular by metric name: the cells after 'Set & Metric'."""
    found = {}
    for line in tex.splitlines():
        cells = [c.strip() for c in line.rstrip("\\ ").split("&")]
        if len(cells) > 2 and cells[1] in ("PSNR", "SSIM", "MOS"):
            found[cells[1]] = cells[2:]
    return found


def test_it_lays_out_table2_with_booktabs_bold_best_and_a_star_for_significance():
    analysis = study_with(
        {"nearest": 1.3, "srresnet-mse": 2.5, "srgan-mse": 3.0, "srgan-vgg54": 4.0, "hr": 4.5}
    )
    tex = table2_tex(analysis)

    for rule in ("\\toprule", "\\midrule", "\\bottomrule", "\\begin{tabular}{llcccc}"):
        assert rule in tex
    assert tex.index("\\toprule") < tex.index("\\midrule") < tex.index("\\bottomrule")
    assert "Set & Metric & NN & SRResNet & SRGAN & HR \\\\" in tex
    table = rows(tex)
    # PSNR: SRResNet's 30.004 shows as 30.00 and is the best; HR is infinite, never bold.
    assert table["PSNR"] == ["24.00", "\\textbf{30.00}", "26.00", "$\\infty$"]
    assert table["SSIM"] == ["0.6500", "\\textbf{0.9100}", "0.8000", "1"]
    mos = analysis.mos.set_index("method")["mos"]
    # MOS: SRGAN (vgg54) is best but HR, and significantly above NN and SRResNet.
    assert table["MOS"][2] == f"\\textbf{{{mos['srgan-vgg54']:.2f}}}$^{{*}}$"
    assert table["MOS"][0] == f"{mos['nearest']:.2f}"
    assert table["MOS"][3] == f"{mos['hr']:.2f}"  # HR is not a contender for bold
    assert "differences not significant" in tex
    assert re.search(r"paper-set: none\.", tex)


def test_it_groups_table1_by_generator_and_stars_a_significant_loss():
    analysis = study_with(
        {"nearest": 1.3, "srresnet-mse": 2.5, "srgan-mse": 3.0, "srgan-vgg54": 4.0, "hr": 4.5}
    )
    tex = table1_tex(analysis)
    assert "\\multicolumn{1}{c}{SRResNet-} & \\multicolumn{2}{c}{SRGAN-}" in tex
    assert "\\cmidrule(lr){3-3}\\cmidrule(lr){4-5}" in tex
    assert "Set & Metric & MSE & MSE & VGG54 \\\\" in tex
    table = rows(tex)
    mos = analysis.mos.set_index("method")["mos"]
    # SRGAN-VGG54 is significantly above SRGAN-MSE, the other loss of its group; the
    # lone SRResNet has no rival in its group, so no star.
    assert table["MOS"] == [
        f"{mos['srresnet-mse']:.2f}",
        f"{mos['srgan-mse']:.2f}",
        f"\\textbf{{{mos['srgan-vgg54']:.2f}}}$^{{*}}$",
    ]
    assert table["PSNR"][0] == "\\textbf{30.00}"


def test_it_marks_no_star_and_lists_the_pair_when_methods_do_not_differ():
    analysis = study_with(
        {"nearest": 1.3, "srresnet-mse": 2.5, "srgan-mse": 3.5, "srgan-vgg54": 3.5, "hr": 4.5}
    )
    pair = analysis.wilcoxon.query("method_a == 'srgan-mse' and method_b == 'srgan-vgg54'")
    assert not pair["significant"].item()
    assert not any("$^{*}$" in cell for cell in rows(table1_tex(analysis))["MOS"])
    # Table 2 shows SRGAN (vgg54) without SRGAN-MSE: there it is still the best and
    # significantly above NN and SRResNet.
    assert rows(table2_tex(analysis))["MOS"][2].endswith("$^{*}$")
    markdown = tables_md(analysis)
    table1 = markdown.split("## Table 1")[1].split("## Table 2")[0]
    assert "SRGAN-MSE" in table1
    assert "\\*" not in table1


def test_it_mirrors_the_latex_tables_in_markdown():
    analysis = study_with(
        {"nearest": 1.3, "srresnet-mse": 2.5, "srgan-mse": 3.0, "srgan-vgg54": 4.0, "hr": 4.5}
    )
    markdown = tables_md(analysis)
    mos = analysis.mos.set_index("method")["mos"]
    assert "| Set | Metric | NN | SRResNet | SRGAN | HR |" in markdown
    assert "| paper-set | PSNR | 24.00 | **30.00** | 26.00 | ∞ |" in markdown
    assert f"**{mos['srgan-vgg54']:.2f}**\\*" in markdown
