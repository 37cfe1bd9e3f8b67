// IndexedDB storage for writes waiting to reach the server (DESIGN decision 10).
// Storage only: api.js decides when to send; this module never talks to the network.
const DB_NAME = "shipfloor";
const STORE = "outbox";

let dbPromise = null;

function open() {
  dbPromise ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
    req.onsuccess = () => {
      const db = req.result;
      // Let a newer page version upgrade the schema instead of blocking it forever.
      db.onversionchange = () => {
        db.close();
        dbPromise = null;
      };
      resolve(db);
    };
    req.onerror = () => {
      dbPromise = null;
      reject(req.error);
    };
  });
  return dbPromise;
}

async function run(mode, fn) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    // Resolve on commit, not on request success: a write is only kept once the transaction lands.
    tx.oncomplete = () => resolve(req?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

// Returns the new entry's seq; seq order is send order.
export const add = (entry) => run("readwrite", (s) => s.add(entry));
export const put = (entry) => run("readwrite", (s) => s.put(entry));
export const remove = (seq) => run("readwrite", (s) => s.delete(seq));
export const get = (seq) => run("readonly", (s) => s.get(seq));
export const count = () => run("readonly", (s) => s.count());

// The oldest entry (the next to send), or undefined.
export async function first() {
  const db = await open();
  return new Promise((resolve, reject) => {
    const req = db.transaction(STORE, "readonly").objectStore(STORE).openCursor();
    req.onsuccess = () => resolve(req.result?.value);
    req.onerror = () => reject(req.error);
  });
}
