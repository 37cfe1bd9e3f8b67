// Load (the dock): scan each package label as it goes on the truck. The server finds the package by its
// SSCC or tracking number, marks it loaded and, when the warehouse ships at the dock, ships the shipment
// once its last package is on. Offline the scans queue like every other write.
import { runScreen } from "./engine.js";
import { t } from "./i18n.js";

runScreen({
  name: "load",
  start: "package",
  initial: () => ({ loaded: 0 }),
  facts: {
    "loaded-count": (s) => (s.loaded ? String(s.loaded) : null),
  },
  steps: {
    package: {
      prompt: "p_load_package",
      // Offline a scan is "unknown": the server decides when the write lands.
      accepts: ["package"],
      write: (s, scan) => {
        const code = scan.raw.trim();
        return { path: "/api/packages/load", body: { code }, label: t("label_load", { code }) };
      },
      done: (s, p) => ({
        text: t(p.shipment_status === "shipped" ? "loaded_shipped" : "loaded", {
          n: p.number, order: p.order ?? "", tracking: p.tracking_number ?? p.sscc ?? "",
        }),
      }),
      after: (s) => ({ loaded: s.loaded + 1 }), // queued ones count too: they are on the truck
      queued: (s, { body }) => t("queued_load", body),
      next: "package",
      keep: ["loaded"],
    },
  },
});
