"""Human-readable reports of a compiled model (the `tinygen report` command)."""

from __future__ import annotations

from tinygen.report.plan_data import PlanBox, PlanPicture
from tinygen.report.plan_svg import render_plan_svg, write_plan_svg

__all__ = ["PlanBox", "PlanPicture", "render_plan_svg", "write_plan_svg"]
