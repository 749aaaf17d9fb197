"""The built-in analytics tools. They register through the ``opsbot.tools`` entry point (``builtin``), the
same path a third-party plugin uses."""

from __future__ import annotations

from tools.analytics.anomalies import anomalies
from tools.analytics.business_info import business_info, order_details
from tools.analytics.comparisons import compare_locations, compare_periods
from tools.analytics.delivery import delivery_report, refunds_and_discounts
from tools.analytics.forecast import forecast_sales
from tools.analytics.items import top_items
from tools.analytics.sales import sales_report

TOOLS = [
    business_info,
    sales_report,
    top_items,
    compare_locations,
    compare_periods,
    delivery_report,
    refunds_and_discounts,
    order_details,
    forecast_sales,
    anomalies,
]
