// Move: scan where from, scan the item, set the quantity, scan where to. A tote or pallet as the
// first scan moves the whole container with one more scan (its destination).
import { runScreen } from "./engine.js";
import { sameCode, showLocationStock } from "./flow.js";
import { t } from "./i18n.js";

const showFrom = (eng) => showLocationStock(eng.state.from);
const itemName = (s) => s.item.sku ?? s.item.raw.trim();

runScreen({
  name: "move",
  start: "from",
  initial: () => ({ from: null, container: null }),
  facts: {
    "from-code": (s, step) => (step === "container-to" ? null : s.from),
    "container-code": (s, step) => (step === "container-to" ? s.container : null),
  },
  steps: {
    from: {
      prompt: "p_move_from",
      accepts: ["location", "tote"],
      then: (s, scan) => ({ from: scan.location.code, container: scan.container ? scan.location.code : null }),
      next: (s) => (s.container ? "container-to" : "item"),
      enter: () => {
        document.getElementById("from-stock").hidden = true;
      },
    },
    item: {
      prompt: "p_scan_item",
      accepts: ["item"],
      item: true,
      lot: (s) => s.from, // a lot-tracked item from a bin with 2+ lots: which one?
      next: "to",
      enter: showFrom,
    },
    to: {
      prompt: "p_move_to",
      accepts: ["location", "tote"],
      countUp: true,
      write: (s, scan) => {
        const to = scan.location.code;
        const qty = s.qty;
        const body = { item: s.item.code, qty, from: s.from, to };
        if (s.item.lot) body.lot = s.item.lot;
        const label = t("label_move", { qty, item: itemName(s), from: s.from, to });
        return { path: "/api/moves", body, label };
      },
      done: (s, m, { body }) => ({
        text: t("moved", { qty: m.qty ?? body.qty, item: m.item ?? itemName(s), from: m.from ?? body.from,
                           to: m.to ?? body.to }),
      }),
      queued: (s, { body }) => t("queued_move", { qty: body.qty, item: itemName(s), to: body.to }),
      next: "item",
      keep: ["from"],
    },
    "container-to": {
      prompt: (s) => t("p_container_to", { container: s.container }),
      accepts: ["location", "tote"],
      check: (s, scan) => (sameCode(scan.location.code, s.container) ? t("p_container_to", s) : null),
      write: (s, scan) => {
        const body = { container: s.container, to: scan.location.code };
        return { path: "/api/container-moves", body, label: t("label_container_move", body) };
      },
      done: (s, r, { body }) => ({ text: t("container_moved", { container: r.container ?? body.container,
                                                                to: r.to ?? body.to }) }),
      queued: (s, { body }) => t("queued_container", body),
      next: "from",
    },
  },
  buttons: {
    // "Take items out of it instead": the container becomes the location to move from.
    unpack: (eng) => eng.go("item", { from: eng.state.container, container: null }),
  },
  render: (eng, step) => {
    document.getElementById("unpack").hidden = step !== "container-to";
  },
});
