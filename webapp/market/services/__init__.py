"""Market rules, one module per use case (as flaskbb splits its services):

* `orders` — reading orders, posting, editing and deleting them, the client's response and
  completion;
* `takes` — an executor pays to take an order and gets the contact;
* `closing` — the client closes their order (withdrawn before takes, closed after);
* `executors` — who took an order (name, rating, completed orders), as each viewer may see;
* `sweeps` — expiry, closing without a response (with refunds), an admin's force-close.

Callers use the names below (`services.take_order(...)`); `takes` and `sweeps` share only
`orders.lock_order` (the one lock order). The settings are `webapp.market.config.settings()`.

Concurrency (PostgreSQL; SQLite serialises writers, and the guards hold there too):
* Lock order is fixed: the order row first (`SELECT … FOR UPDATE`, `populate_existing`),
  then the account row (inside the single guarded debit/credit statement). Takes, edits,
  completion and the sweeps all follow it, so they cannot deadlock each other.
* Counters and states change in guarded statements (`… WHERE takes_count < :max AND
  status = 'active'`), uniqueness is a constraint (one take per order and executor).
* The sweeps are set-based `UPDATE … WHERE status = 'active' … RETURNING`, picking rows
  with `FOR UPDATE SKIP LOCKED`: a second worker running at the same moment finds nothing
  to do, so nothing is expired or refunded twice.

Expiry versus the response rule (SPEC is silent on the overlap; decided here):
* an active order nobody took becomes `expired` at `expires_at`;
* once taken, the client has `MARKET_RESPONSE_MINUTES` from the first take to respond;
  without a response the order becomes `closed_no_response` and every take is refunded —
  even when `expires_at` passes first (the executors paid for a response);
* a taken order the client responded to becomes `expired` at `expires_at` (no refunds).
"""

from webapp.market.services.closing import close_order
from webapp.market.services.executors import (
    ExecutorSummary,
    TakeSummary,
    executor_summary,
    takes_seen_by,
)
from webapp.market.services.orders import (
    OrderChanges,
    OrderDraft,
    OrderView,
    city_filter,
    complete_order,
    create_order,
    delete_order,
    get_order,
    list_open_orders,
    lock_order,
    minutes_left,
    my_orders,
    new_order_id,
    respond_to_order,
    took_order,
    update_order,
    view_order,
    view_orders,
)
from webapp.market.services.sweeps import (
    close_unanswered_orders,
    expire_overdue_orders,
    force_close_order,
)
from webapp.market.services.takes import TakeResult, take_order

__all__ = [
    "ExecutorSummary",
    "OrderChanges",
    "OrderDraft",
    "OrderView",
    "TakeResult",
    "TakeSummary",
    "city_filter",
    "close_order",
    "close_unanswered_orders",
    "complete_order",
    "create_order",
    "delete_order",
    "executor_summary",
    "expire_overdue_orders",
    "force_close_order",
    "get_order",
    "list_open_orders",
    "lock_order",
    "minutes_left",
    "my_orders",
    "new_order_id",
    "respond_to_order",
    "take_order",
    "takes_seen_by",
    "took_order",
    "update_order",
    "view_order",
    "view_orders",
]
