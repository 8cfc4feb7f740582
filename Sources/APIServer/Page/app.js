// The check-in page: waits for a card, code or face (or a typed ID number), shows the
// patient and insurance, takes the fee list, pre-settles, settles and prints the receipt.
// Everything goes through the local API (docs/api.yaml); it works with the keyboard alone.
"use strict";

const TEXT = {
  zh: {
    langButton: "English (F6)", prompt: "请插卡 / 扫码 / 刷脸",
    promptSub: "把社保卡插入读卡器，或出示医保电子凭证二维码，或看向摄像头",
    manualLabel: "手工输入身份证号 (F2)", manualButton: "查询 Enter", name: "姓名", idNumber: "证件号",
    insurance: "险种", balance: "个账余额", revealButton: "显示姓名 (F4)", hideButton: "隐藏姓名 (F4)",
    diagnosis: "诊断", item: "项目（编码或名称）", quantity: "数量", addButton: "添加 Enter",
    colItem: "项目", colPrice: "单价", colQty: "数量", colAmount: "金额", total: "合计",
    feesHint: "Ctrl+Backspace 删除最后一项 · F8 预结算 · Esc 换下一位病人",
    presettleButton: "预结算 (F8)", splitTitle: "医保结算预览", cashToPay: "现金支付",
    settleButton: "确认结算 (F9)", backButton: "返回修改 (Esc)", receiptTitle: "医保结算单",
    setlId: "结算号", time: "时间", cashPaid: "个人现金支付", printButton: "打印 (P)", nextButton: "下一位 (Enter)",
    split_total: "医疗费总额", split_basicFund: "统筹基金", split_criticalIllness: "大病保险",
    split_medicalAid: "医疗救助", split_otherFunds: "其他基金", split_personalAccount: "个人账户",
    split_familyAccount: "家庭共济", split_cash: "现金", split_balanceAfter: "个账余额（结算后）",
    waiting: "等待插卡、扫码或刷脸…", checking: "正在向医保核验身份…", settling: "正在结算，请勿拔卡…",
    presettling: "正在预结算…", selfPayFirst: "先自付", diagnosisSearch: "查找诊断", noItems: "请先添加收费项目", unknownItem: "目录中没有此项目：",
    badQty: "数量应为大于 0 的数字", suspended: "参保状态异常，不能按医保结算", crossRegion: "异地参保：跨省/跨市结算",
    noInsurance: "医保未返回参保信息", settled: "结算成功", coreDown: "连不上医保中心：",
    "card.inserted": "已插卡，正在读卡…", "card.removed": "卡已拔出", "code.scanned": "已扫码，正在核验…",
    "identity.resolved": "身份已确认", coreBanner: "医保网络中断 — 可先登记，恢复后结算",
  },
  en: {
    langButton: "中文 (F6)", prompt: "Insert card / scan code / look at the camera",
    promptSub: "Social-security card in the reader, the e-credential QR code, or the face terminal",
    manualLabel: "Type the ID number (F2)", manualButton: "Look up Enter", name: "Name", idNumber: "ID number",
    insurance: "Insurance", balance: "Account balance", revealButton: "Show name (F4)", hideButton: "Hide name (F4)",
    diagnosis: "Diagnosis", item: "Item (code or name)", quantity: "Quantity", addButton: "Add Enter",
    colItem: "Item", colPrice: "Unit price", colQty: "Qty", colAmount: "Amount", total: "Total",
    feesHint: "Ctrl+Backspace removes the last item · F8 pre-settle · Esc next patient",
    presettleButton: "Pre-settle (F8)", splitTitle: "Settlement preview", cashToPay: "Cash to pay",
    settleButton: "Settle (F9)", backButton: "Back to fees (Esc)", receiptTitle: "Medical insurance receipt",
    setlId: "Settlement no.", time: "Time", cashPaid: "Paid in cash", printButton: "Print (P)", nextButton: "Next patient (Enter)",
    split_total: "Total", split_basicFund: "Basic fund (统筹)", split_criticalIllness: "Critical illness (大病)",
    split_medicalAid: "Medical aid (救助)", split_otherFunds: "Other funds", split_personalAccount: "Personal account (个账)",
    split_familyAccount: "Family account", split_cash: "Cash (现金)", split_balanceAfter: "Balance after",
    waiting: "Waiting for a card, a code or a face…", checking: "Checking with the insurance core…",
    settling: "Settling, keep the card in…", presettling: "Pre-settling…", selfPayFirst: "self-pay first", diagnosisSearch: "find a diagnosis", noItems: "Add at least one fee item first",
    unknownItem: "Not in the price list: ", badQty: "The quantity must be a number above 0",
    suspended: "Insurance not active: cannot settle under it", crossRegion: "Insured elsewhere: cross-region settlement",
    noInsurance: "The core lists no insurance", settled: "Settled", coreDown: "Cannot reach the insurance core: ",
    "card.inserted": "Card inserted, reading…", "card.removed": "Card removed", "code.scanned": "Code scanned, checking…",
    "identity.resolved": "Identity confirmed",
    coreBanner: "Insurance network down — patients can be registered, settlement when it is back",
  },
};
const SPLIT_ROWS = ["total", "basicFund", "criticalIllness", "medicalAid", "otherFunds", "personalAccount", "familyAccount", "cash"];

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
if (params.get("token")) sessionStorage.setItem("cuntongToken", params.get("token"));
const token = sessionStorage.getItem("cuntongToken");
let lang = params.get("lang") === "en" ? "en" : "zh";
const s = { screen: "wait", waitGeneration: 0, checkin: null, reveal: false, catalogue: null, items: [], visit: null, settlement: null, status: null };

function t(key) { return TEXT[lang][key] ?? TEXT.zh[key] ?? key; }

function translate() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-placeholder]")) el.placeholder = t(el.dataset.tPlaceholder);
  $("reveal").textContent = t(s.reveal ? "hideButton" : "revealButton");
  if (s.visit?.estimate) renderSplit($("split"), s.visit.estimate);
  if (s.settlement) renderReceipt();
}

async function api(method, path, body) {
  const headers = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  if (token) headers.authorization = "Bearer " + token;
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const data = response.status === 204 ? null : await response.json();
  if (!response.ok) throw Object.assign(new Error(data?.message ?? response.statusText), { code: data?.code, status: response.status });
  return data;
}

function status(text) { $("status").textContent = text ?? ""; }
function showError(error) {
  const box = $("error");
  if (!error) { box.hidden = true; box.textContent = ""; return; }
  box.hidden = false;
  box.textContent = error.code ? `${error.message} [${error.code}]` : String(error.message ?? error);
}

function show(screen) {
  s.screen = screen;
  for (const el of document.querySelectorAll(".screen")) el.hidden = el.id !== "screen-" + screen;
  const focus = { wait: "manual-id", fees: "item-input", split: "settle", receipt: "next" }[screen];
  $(focus)?.focus();
}

// 1. Waiting: one check-in at a time, renewed until something is presented.
async function waitForPatient() {
  const generation = ++s.waitGeneration;
  show("wait");
  status(t("waiting"));
  while (s.screen === "wait" && generation === s.waitGeneration) {
    try {
      const checkin = await api("POST", "/v1/checkins", { waitSeconds: 60 });
      if (generation === s.waitGeneration) return patientArrived(checkin);
      return;
    } catch (error) {
      if (generation !== s.waitGeneration || error.code === "CHECKIN-CANCELLED") return;
      if (error.code === "CHECKIN-TIMEOUT") continue;
      showError(error);
      await new Promise((r) => setTimeout(r, error.code === "CHECKIN-BUSY" ? 1000 : 3000));
    }
  }
}

async function manualCheckin(event) {
  event.preventDefault();
  const idNumber = $("manual-id").value.trim().toUpperCase();
  if (!idNumber) return;
  s.waitGeneration++;
  await api("DELETE", "/v1/checkins/waiting").catch(() => {});
  showError(null);
  status(t("checking"));
  try {
    patientArrived(await api("POST", "/v1/checkins", { idNumber }));
  } catch (error) {
    showError(error);
    waitForPatient();
  }
}

// 2. The patient and the fees.
function patientArrived(checkin) {
  s.checkin = checkin;
  s.reveal = false;
  s.items = [];
  s.visit = null;
  showError(null);
  status(t("identity.resolved"));
  $("manual-id").value = "";
  renderPatient();
  renderItems();
  show("fees");
}

function renderPatient() {
  const p = s.checkin.patient;
  $("patient-name").textContent = p.name;
  $("patient-id").textContent = p.idNumber;
  $("insurance").textContent = p.insurance ? `${p.insurance.typeName} (${p.insurance.type}) · ${p.insurance.region}` : "—";
  $("balance").textContent = p.insurance ? "¥" + p.insurance.balance : "—";
  const warnings = [];
  if (!p.insurance) warnings.push(t("noInsurance"));
  else {
    if (p.insurance.status !== "1") warnings.push(t("suspended"));
    if (p.insurance.crossRegion) warnings.push(t("crossRegion"));
  }
  for (const i of p.identities) if (i.memo) warnings.push(i.memo);
  $("warnings").textContent = warnings.join(" · ");
  $("reveal").textContent = t(s.reveal ? "hideButton" : "revealButton");
}

async function toggleReveal() {
  if (!s.checkin) return;
  s.reveal = !s.reveal;
  try {
    s.checkin = await api("GET", `/v1/checkins/${s.checkin.id}?reveal=${s.reveal}`);
    renderPatient();
    if (s.settlement) renderReceipt();
  } catch (error) { showError(error); }
}

function findItem(text) {
  const wanted = text.trim();
  const items = s.catalogue?.items ?? [];
  return items.find((i) => i.clinicCode && i.clinicCode === wanted) ?? items.find((i) => i.code === wanted)
    ?? items.find((i) => i.name === wanted)
    ?? items.find((i) => `${i.name} ${i.code}` === wanted) ?? items.find((i) => i.name.startsWith(wanted) && wanted.length > 0);
}

function addItem(event) {
  event.preventDefault();
  const input = $("item-input"), qty = $("item-qty");
  if (document.activeElement === input && input.value.trim() && !qty.value) {
    const found = findItem(input.value);
    if (found) { qty.value = String(found.quantity); qty.select(); qty.focus(); return; }
  }
  const found = findItem(input.value);
  if (!found) { showError({ message: t("unknownItem") + input.value }); input.focus(); return; }
  const quantity = Number(qty.value || found.quantity);
  if (!(quantity > 0)) { showError({ message: t("badQty") }); qty.focus(); return; }
  showError(null);
  s.items.push({ code: found.code, clinicCode: found.clinicCode, name: found.name, category: found.category,
                 unitPrice: found.unitPrice, quantity: String(quantity) });
  input.value = "";
  qty.value = "";
  renderItems();
  input.focus();
}

// Search as the doctor types: the catalogue (name, code, pinyin initials) through the daemon,
// offered as the clinic's priced items mapped to what it finds; diagnoses from 1307.
let searchTimer = null;
function searchAsTyped(input, kind, fill) {
  clearTimeout(searchTimer);
  const q = input.value.trim();
  if (!q) return;
  searchTimer = setTimeout(async () => {
    try {
      const found = await api("GET", `/v1/catalogue/search?q=${encodeURIComponent(q)}&limit=20${kind ? "&kind=" + kind : ""}`);
      if (input.value.trim() === q) fill(found.results ?? []);
    } catch (error) { /* the price list still works without the catalogue */ }
  }, 150);
}

function itemOptions(results) {
  const list = $("catalogue-items"), items = s.catalogue?.items ?? [];
  const shown = [];
  for (const r of results) {
    for (const i of items) {
      if ((i.clinicCode && r.clinicItems.includes(i.clinicCode)) || i.code === r.code) {
        if (!shown.includes(i)) shown.push(i);
      }
    }
  }
  for (const i of items) if (!shown.includes(i)) shown.push(i);
  list.replaceChildren(...shown.map(optionFor));
}

function optionFor(i) {
  const o = document.createElement("option");
  o.value = i.clinicCode ?? i.code;
  o.label = `${i.name} ¥${i.unitPrice}`;
  return o;
}

function diagnosisOptions(results) {
  $("diagnosis-list").replaceChildren(...results.map((r) => {
    const o = document.createElement("option");
    o.value = r.code;
    o.label = r.name;
    return o;
  }));
  s.diagnosisHits = results;
}

function pickDiagnosis() {
  const code = $("diagnosis-search").value.trim();
  const hit = (s.diagnosisHits ?? []).find((d) => d.code === code);
  if (!hit) return;
  if (!s.catalogue.diagnoses.some((d) => d.code === hit.code)) {
    s.catalogue.diagnoses.push({ code: hit.code, name: hit.name });
    const o = document.createElement("option");
    o.value = hit.code;
    o.textContent = `${hit.name} ${hit.code}`;
    $("diagnosis").append(o);
  }
  $("diagnosis").value = hit.code;
  $("diagnosis-search").value = "";
  $("item-input").focus();
}

function renderSplitItems(items) {
  const table = $("split-items");
  table.replaceChildren();
  for (const i of items ?? []) {
    const row = table.insertRow();
    row.insertCell().textContent = i.name;
    row.insertCell().textContent = i.level ? `${i.level}类` : "";
    row.insertCell().textContent = i.selfPayRatio ? `${t("selfPayFirst")} ${Math.round(Number(i.selfPayRatio) * 100)}%` : "";
    const warn = row.insertCell();
    warn.textContent = i.warning ?? "";
    warn.className = "warn";
  }
}

function fen(yuan) { const [a, b = ""] = String(yuan).split("."); return Number(a) * 100 + Number((b + "00").slice(0, 2)); }
function yuan(f) { return (f < 0 ? "-" : "") + Math.floor(Math.abs(f) / 100) + "." + String(Math.abs(f) % 100).padStart(2, "0"); }

function renderItems() {
  const body = $("fee-table").tBodies[0];
  body.replaceChildren();
  let total = 0;
  for (const item of s.items) {
    const amount = Math.round(fen(item.unitPrice) * Number(item.quantity)); // display only; the core computes
    total += amount;
    const row = body.insertRow();
    for (const [text, num] of [[item.name, false], [item.unitPrice, true], [item.quantity, true], [yuan(amount), true]]) {
      const cell = row.insertCell();
      cell.textContent = text;
      if (num) cell.className = "num";
    }
  }
  $("total").textContent = yuan(total);
}

async function preSettle() {
  if (!s.items.length) { showError({ message: t("noItems") }); return; }
  const diagnosis = s.catalogue.diagnoses.find((d) => d.code === $("diagnosis").value) ?? { code: "", name: "" };
  showError(null);
  status(t("presettling"));
  try {
    let visit = await api("POST", "/v1/visits", {
      checkinId: s.checkin.id, department: s.catalogue.department, doctor: s.catalogue.doctor, diagnosis,
    });
    s.visit = visit;
    visit = await api("PUT", `/v1/visits/${visit.id}/fees`, { items: s.items });
    s.visit = await api("POST", `/v1/visits/${visit.id}/presettle`);
    renderSplitItems(visit.items);
    renderSplit($("split"), s.visit.estimate);
    $("cash").textContent = s.visit.estimate.cash;
    const p = s.checkin.patient;
    $("split-patient").textContent = `${p.name} · ${p.insurance?.typeName ?? ""}`;
    status("");
    show("split");
  } catch (error) {
    s.visit = null;
    status("");
    showError(error);
  }
}

function renderSplit(table, split) {
  table.replaceChildren();
  for (const key of SPLIT_ROWS) {
    const row = table.insertRow();
    row.dataset.key = key;
    row.insertCell().textContent = t("split_" + key);
    row.insertCell().textContent = "¥" + split[key];
  }
}

async function backToFees() {
  if (s.visit) await api("DELETE", `/v1/visits/${s.visit.id}`).catch(showError);
  s.visit = null;
  show("fees");
}

// 3. Settle, then the receipt.
async function settle() {
  if (!s.visit) return;
  $("settle").disabled = true;
  status(t("settling"));
  try {
    s.settlement = await api("POST", `/v1/visits/${s.visit.id}/settle`);
    status(t("settled"));
    showError(null);
    renderReceipt();
    show("receipt");
  } catch (error) {
    showError(error);
    status("");
    s.visit = null;
    show("fees");
  } finally {
    $("settle").disabled = false;
  }
}

function renderReceipt() {
  const r = s.settlement, p = s.checkin.patient;
  $("receipt-clinic").textContent = s.status?.institution?.name ?? "";
  $("r-name").textContent = s.reveal ? p.name : r.patient.name;
  $("r-insurance").textContent = p.insurance ? `${p.insurance.typeName} (${r.patient.insurance})` : r.patient.insurance;
  $("r-setl").textContent = r.setlId;
  $("r-time").textContent = r.settledAt;
  const items = $("r-items");
  items.replaceChildren();
  for (const i of s.items) {
    const row = items.insertRow();
    row.insertCell().textContent = i.name;
    row.insertCell().textContent = `${i.unitPrice} × ${i.quantity}`;
  }
  renderSplit($("r-split"), r.split);
  $("r-cash").textContent = r.split.cash;
}

function nextPatient() {
  s.checkin = null;
  s.settlement = null;
  s.visit = null;
  s.items = [];
  waitForPatient();
}

// Events: what the devices say, for the doctor and the patient.
function listen() {
  const events = new EventSource("/v1/events" + (token ? "?access_token=" + encodeURIComponent(token) : ""));
  const onEvent = (message) => {
    const e = JSON.parse(message.data);
    if (e.type === "face.result" || e.type === "code.refused" || e.type === "card.failed" || e.type === "checkin.failed") {
      status(e.message ?? e.code);
    } else if (TEXT.zh[e.type] && s.screen === "wait") {
      status(t(e.type));
    }
  };
  for (const type of ["card.inserted", "card.removed", "card.failed", "code.scanned", "code.refused", "face.result",
                      "identity.resolved", "checkin.failed"]) events.addEventListener(type, onEvent);
  // The link to the insurance core, shown before a patient presents anything.
  events.addEventListener("core.down", () => coreBanner(true));
  events.addEventListener("core.up", () => coreBanner(false));
}

function coreBanner(down) { $("core-banner").hidden = !down; }

document.addEventListener("keydown", (event) => {
  if (event.key === "F6") { event.preventDefault(); lang = lang === "zh" ? "en" : "zh"; translate(); return; }
  if (event.key === "F2" && s.screen === "wait") { event.preventDefault(); $("manual-id").focus(); return; }
  if (event.key === "F4") { event.preventDefault(); toggleReveal(); return; }
  if (s.screen === "fees") {
    if (event.key === "F8") { event.preventDefault(); preSettle(); }
    else if (event.key === "Escape") { event.preventDefault(); nextPatient(); }
    else if (event.key === "Backspace" && event.ctrlKey) { event.preventDefault(); s.items.pop(); renderItems(); }
  } else if (s.screen === "split") {
    if (event.key === "F9") { event.preventDefault(); settle(); }
    else if (event.key === "Escape") { event.preventDefault(); backToFees(); }
  } else if (s.screen === "receipt") {
    if (event.key === "p" || event.key === "P") { event.preventDefault(); window.print(); }
    else if (event.key === "Enter" && document.activeElement?.id !== "print") { event.preventDefault(); nextPatient(); }
  }
});

async function start() {
  $("lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; translate(); });
  $("manual-form").addEventListener("submit", manualCheckin);
  $("item-form").addEventListener("submit", addItem);
  $("item-input").addEventListener("input", () => searchAsTyped($("item-input"), null, itemOptions));
  $("diagnosis-search").addEventListener("input", () => searchAsTyped($("diagnosis-search"), "diagnosis", diagnosisOptions));
  $("diagnosis-search").addEventListener("change", pickDiagnosis);
  $("diagnosis-search").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); pickDiagnosis(); } });
  $("reveal").addEventListener("click", toggleReveal);
  $("presettle").addEventListener("click", preSettle);
  $("settle").addEventListener("click", settle);
  $("back").addEventListener("click", backToFees);
  $("print").addEventListener("click", () => window.print());
  $("next").addEventListener("click", nextPatient);
  translate();
  try {
    s.status = await api("GET", "/v1/status");
    $("clinic").textContent = `${s.status.institution.name} · 村通 医保结算`;
    $("footer").textContent = `cuntong ${s.status.version} · ${s.status.terminal ?? ""}${s.status.simulator ? " · SIMULATOR" : ""}`;
    coreBanner(s.status.core?.state === "down");
    s.catalogue = await api("GET", "/v1/catalogue");
  } catch (error) { showError(error); s.catalogue = { items: [], diagnoses: [], department: { code: "A03", name: "全科" }, doctor: { code: "", name: "" } }; }
  const list = $("catalogue-items");
  for (const i of s.catalogue.items) list.append(optionFor(i));
  for (const d of s.catalogue.diagnoses) { const o = document.createElement("option"); o.value = d.code; o.textContent = `${d.name} ${d.code}`; $("diagnosis").append(o); }
  listen();
  waitForPatient();
}
start();
