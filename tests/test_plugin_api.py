"""The public plugin API: the repository's own plugins import nothing else from the core, it is documented,
and a store tool written with it alone resolves and reports like the built-in tools."""

from __future__ import annotations

import ast
import inspect
from datetime import date
from pathlib import Path

from tools import plugin_api
from tools.analytics.builtin import TOOLS
from tools.analytics.readonly import open_readonly
from tools.plugin_api import (
    EndArg,
    LocationsArg,
    PeriodArg,
    StartArg,
    ToolContext,
    activity,
    build_scope,
    format_money,
    order_totals,
    percent,
)
from tools.registry import Param, ToolRegistry

REPO = Path(__file__).resolve().parents[1]
PLUGIN_FOLDERS = ("examples", "plugins")
CORE_PACKAGES = ("tools", "bot")
PUBLIC_MODULE = "tools.plugin_api"
NOT_SOURCE = {"build", "dist", ".venv", "__pycache__"}  # pip's in-tree build copies and the like


def _plugin_sources() -> list[Path]:
    sources = []
    for folder in PLUGIN_FOLDERS:
        for path in sorted((REPO / folder).rglob("*.py")):
            parts = path.relative_to(REPO).parts
            if not NOT_SOURCE & set(parts) and not any(part.endswith(".egg-info") for part in parts):
                sources.append(path)
    return sources


def _core_imports(path: Path) -> list[str]:
    """Every module of the core that ``path`` imports (``from tools import x`` counts as ``tools.x``)."""
    imported = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            imported += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in CORE_PACKAGES:
                imported += [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                imported.append(node.module)
    return [name for name in imported if name.split(".")[0] in CORE_PACKAGES]


def test_plugins_in_the_repository_import_only_the_public_api():
    sources = _plugin_sources()
    assert REPO / "examples/opsbot-reservations/opsbot_reservations/__init__.py" in sources
    private = {
        f"{path.relative_to(REPO)}: {name}"
        for path in sources
        for name in _core_imports(path)
        if name != PUBLIC_MODULE
    }
    assert not private, f"plugins may import only {PUBLIC_MODULE} from the core: {sorted(private)}"


def test_the_import_check_sees_every_form_of_import(tmp_path):
    source = tmp_path / "plugin.py"
    source.write_text(
        "import tools.registry\nfrom bot.agent import loop\nfrom tools import plugin_api, currencies\n"
        "from tools.plugin_api import Param\nimport csv\nfrom . import sibling\n"
    )
    assert _core_imports(source) == [
        "tools.registry",
        "bot.agent",
        "tools.plugin_api",
        "tools.currencies",
        "tools.plugin_api",
    ]


def test_everything_the_public_api_offers_is_documented():
    assert "opsbot.tools" in plugin_api.__doc__
    for name in plugin_api.__all__:
        value = getattr(plugin_api, name)
        if name.endswith("Arg"):  # a shared parameter type: Annotated[T, Param("…")]
            (described,) = value.__metadata__
            assert isinstance(described, Param) and described.description, name
        else:
            assert inspect.getdoc(value), f"{name} has no docstring"


@activity("adding up net sales")
def net_sales_share(
    ctx: ToolContext,
    period: PeriodArg = None,
    locations: LocationsArg = None,
    start_date: StartArg = None,
    end_date: EndArg = None,
) -> dict:
    """The chosen locations' net sales and their share of the whole business's, for a period."""
    scope = build_scope(ctx, period=period, start_date=start_date, end_date=end_date, locations=locations)
    everywhere = build_scope(ctx, period=period, start_date=start_date, end_date=end_date)
    net, total = (order_totals(ctx.engine, s)["net_sales"] for s in (scope, everywhere))
    return {
        **scope.coverage(),
        "net_sales": format_money(net, scope.currency),
        "percent_of_all": percent(net, total),
    }


def test_a_store_tool_written_with_the_public_api_alone_agrees_with_the_builtin_tools(demo_store):
    engine, _ = demo_store
    registry = ToolRegistry()
    for function in [*TOOLS, net_sales_share]:
        registry.register(function, source="test")
    readonly = open_readonly(engine.url.render_as_string(hide_password=False))
    ctx = ToolContext(engine=readonly, today=date(2026, 11, 24))
    try:
        arguments = {"period": "last week", "locations": ["Harbor"]}
        mine = registry.call("net_sales_share", arguments, ctx).content
        builtin = registry.call("sales_report", arguments, ctx).content
        unknown = registry.call("net_sales_share", {"locations": ["Downtwn"]}, ctx)
    finally:
        readonly.dispose()
    assert mine["net_sales"] == builtin["totals"]["net_sales"]
    assert 0 < mine["percent_of_all"] < 100
    assert {key: mine[key] for key in ("period", "locations", "timezone", "currency")} == {
        key: builtin[key] for key in ("period", "locations", "timezone", "currency")
    }
    assert unknown.error.startswith("unknown location 'Downtwn' — did you mean Downtown? known: 1 Downtown")
