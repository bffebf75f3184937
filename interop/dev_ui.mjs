// `fastmcp dev` in a real browser (headless Debian chromium, driven by puppeteer-core):
// the quickstart's long_task with a live progress bar, a cancelled call, an elicitation from
// the everything server answered in the page, a resource read, and the access checks.
// Screenshots of each step go to SHOTS.
//
// usage: node dev_ui.mjs PUPPETEER_CORE CHROMIUM FASTMCP QUICKSTART EVERYTHING SHOTS
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";

const [puppeteerPath, chromium, fastmcp, quickstart, everything, shots] = process.argv.slice(2);
const puppeteer = createRequire(import.meta.url)(puppeteerPath);
mkdirSync(shots, { recursive: true });
const STEP_TIMEOUT = 30_000;
const children = [];

function fail(message) {
  console.error(`FAIL: ${message}`);
  for (const child of children) child.kill();
  process.exit(1);
}

/** Starts `fastmcp dev TARGET --no-open` and resolves the URL it prints. */
function startDev(target) {
  const child = spawn(fastmcp, ["dev", target, "--no-open"], { stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("fastmcp dev printed no URL")), 120_000);
    createInterface({ input: child.stdout }).once("line", (line) => { clearTimeout(timer); resolve(line.trim()); });
    child.once("exit", (code) => reject(new Error(`fastmcp dev exited (${code})`)));
  });
}

async function shot(page, name) {
  await page.screenshot({ path: `${shots}/${name}.png` });
}

async function openTool(page, name) {
  const item = await page.waitForSelector(`xpath=//ul[@id="tool-list"]/li[div[@class="name" and text()="${name}"]]`, { timeout: STEP_TIMEOUT });
  await item.click();
  await page.waitForSelector("#call", { timeout: STEP_TIMEOUT });
}

/** Records every value the progress bar takes (a MutationObserver in the page). */
async function watchProgress(page) {
  await page.evaluate(() => {
    window.__seen = [];
    const bar = document.querySelector("#progress");
    new MutationObserver(() => {
      if (bar.hasAttribute("value")) window.__seen.push([bar.value, bar.max, document.querySelector("#progress-message").textContent]);
    }).observe(bar, { attributes: true });
  });
}

async function fill(page, selector, value) {
  await page.$eval(selector, (input) => { input.value = ""; });
  await page.type(selector, String(value));
}

async function checkAccess(url) {
  const base = url.split("/?")[0];
  const token = url.split("token=")[1];
  const without = await fetch(`${base}/api/lists`);
  if (without.status !== 403) fail(`the API answered ${without.status} without the token`);
  const page = await fetch(`${base}/`);
  if (page.status !== 403) fail(`the page answered ${page.status} without the token`);
  const events = await fetch(`${base}/api/events`);
  if (events.status !== 403) fail(`the event stream answered ${events.status} without the token`);
  const foreign = await fetch(`${base}/api/lists`, { headers: { "x-fastmcp-token": token, origin: "http://evil.example" } });
  if (foreign.status !== 403) fail(`a foreign Origin got ${foreign.status}`);
  const withToken = await fetch(`${base}/api/lists`, { headers: { "x-fastmcp-token": token } });
  if (withToken.status !== 200) fail(`the token was refused (${withToken.status})`);
  if (!/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32,}$/.test(url)) fail(`unexpected URL ${url}`);
}

const browser = await puppeteer.launch({
  executablePath: chromium, headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  // --- the quickstart: progress, then a cancelled call ---------------------------------
  const quickUrl = await startDev(quickstart);
  await checkAccess(quickUrl);
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 640 });
  await page.goto(quickUrl);
  await openTool(page, "long_task");
  await shot(page, "1-tool-form");
  if (!(await page.$('label[for="arg-steps"]'))) fail("the steps input has no label");
  await fill(page, "#arg-steps", 5);
  await fill(page, "#arg-delay_ms", 300);
  await watchProgress(page);
  await page.click("#call");
  await page.waitForFunction(() => window.__seen.some(([v, max]) => v > 0 && v < max), { timeout: STEP_TIMEOUT });
  await shot(page, "2-progress");
  await page.waitForFunction(() => document.querySelector("#result").textContent.includes("done after 5 steps"), { timeout: STEP_TIMEOUT });
  const seen = await page.evaluate(() => window.__seen);
  const values = [...new Set(seen.map(([v]) => v))];
  if (!values.some((v) => v > 0 && v < 5)) fail(`no intermediate progress: ${JSON.stringify(seen)}`);
  const [lastValue, lastMax, lastMessage] = seen[seen.length - 1];
  if (lastValue !== 5 || lastMax !== 5) fail(`the bar ended at ${lastValue}/${lastMax}`);
  const shown = await page.$eval("#progress-message", (m) => m.textContent);
  if (shown !== "step 5 of 5" || lastMessage !== "step 5 of 5") fail(`the message is ${JSON.stringify(shown)}`);
  await shot(page, "3-result");

  await fill(page, "#arg-steps", 100);
  await fill(page, "#arg-delay_ms", 200);
  await watchProgress(page);
  await page.click("#call");
  await page.waitForFunction(() => window.__seen.some(([v]) => v >= 1), { timeout: STEP_TIMEOUT });
  await page.click("#cancel");
  await page.waitForFunction(() => document.querySelector("#result").textContent === "cancelled", { timeout: STEP_TIMEOUT });
  if (!(await page.$eval("#call", (b) => !b.disabled))) fail("Call stays disabled after Cancel");
  await shot(page, "4-cancelled");
  const history = await page.$eval("#history tbody", (t) => t.textContent);
  if (!history.includes("cancelled") || !history.includes("ok")) fail(`history: ${history}`);

  // Restart: a new server process behind the same page, which keeps working.
  const loads = await page.evaluate(() => Number(document.body.dataset.loads));
  await page.click("#restart");
  await page.waitForFunction((before) => Number(document.body.dataset.loads) > before, { timeout: STEP_TIMEOUT }, loads);
  await openTool(page, "add");
  await fill(page, "#arg-a", 2);
  await fill(page, "#arg-b", 40);
  await page.click("#call");
  await page.waitForFunction(() => document.querySelector("#result pre")?.textContent === "42", { timeout: STEP_TIMEOUT });

  // --- the everything server: an elicitation answered in the page, a resource ------------
  const everythingUrl = await startDev(everything);
  const page2 = await browser.newPage();
  await page2.setViewport({ width: 1100, height: 640 });
  await page2.goto(everythingUrl);
  await openTool(page2, "test_elicitation");
  await fill(page2, "#arg-message", "Who are you?");
  await page2.click("#call");
  await page2.waitForSelector("dialog#question[open]", { timeout: STEP_TIMEOUT });
  const asked = await page2.$eval("#question-message", (m) => m.textContent);
  if (asked !== "Who are you?") fail(`the dialog asks ${JSON.stringify(asked)}`);
  await fill(page2, "#elicit-username", "ada");
  await fill(page2, "#elicit-email", "ada@example.com");
  await shot(page2, "5-elicitation");
  await page2.click("#question-accept");
  await page2.waitForFunction(() => document.querySelector("#result").textContent.includes("ada@example.com"), { timeout: STEP_TIMEOUT });
  const answered = await page2.$eval("#result", (r) => r.textContent);
  if (!answered.includes("accept")) fail(`result: ${answered}`);
  await shot(page2, "6-elicitation-result");

  // Sampling: the request shown with a box for the reply, which reaches the tool.
  await openTool(page2, "test_sampling");
  await fill(page2, "#arg-prompt", "Say hi");
  await page2.click("#call");
  await page2.waitForSelector("dialog#question[open] #sampling-reply", { timeout: STEP_TIMEOUT });
  if (!(await page2.$eval("#question-message", (m) => m.textContent)).includes("Say hi")) fail("the sampling request is not shown");
  await fill(page2, "#sampling-reply", "hello from the page");
  await page2.click("#question-accept");
  await page2.waitForFunction(() => document.querySelector("#result").textContent.includes("LLM response: hello from the page"), { timeout: STEP_TIMEOUT });

  // A list change: the tool list refreshes by itself.
  const before = await page2.evaluate(() => Number(document.body.dataset.loads));
  await openTool(page2, "test_trigger_tool_change");
  await page2.click("#call");
  await page2.waitForFunction((loads) => Number(document.body.dataset.loads) > loads
    && [...document.querySelectorAll("#tool-list .name")].some((n) => n.textContent === "test_dynamic_tool"),
  { timeout: STEP_TIMEOUT }, before);

  await page2.click('nav button[data-view="resources"]');
  const resource = await page2.waitForSelector('xpath=//ul[@id="resource-list"]/li[div[@class="name" and text()="test://static-text"]]', { timeout: STEP_TIMEOUT });
  await resource.click();
  await page2.waitForFunction(() => (document.querySelector("#resource-contents")?.textContent || "").includes("This is the content of the static text resource."), { timeout: STEP_TIMEOUT });
  await shot(page2, "7-resource");

  // A template: its variable completed as you type, then read.
  const template = await page2.waitForSelector('xpath=//ul[@id="resource-list"]/li[div[@class="name" and text()="test://template/{id}/data"]]', { timeout: STEP_TIMEOUT });
  await template.click();
  await page2.waitForSelector("#var-id", { timeout: STEP_TIMEOUT });
  await page2.type("#var-id", "4");
  await page2.waitForFunction(() => [...document.querySelectorAll("#var-id-completions option")].map((o) => o.value).join() === "42", { timeout: STEP_TIMEOUT });
  await fill(page2, "#var-id", "42");
  await page2.click('#resource-panel button[type="submit"]');
  await page2.waitForFunction(() => (document.querySelector("#resource-contents")?.textContent || "").includes("42"), { timeout: STEP_TIMEOUT });
  await shot(page2, "8-template");
  console.log("ok: fastmcp dev in headless chromium: long_task's bar through intermediate values to 5/5 with 'step 5 of 5' and its result, a call cancelled, a restart, an elicitation and a sampling request answered in the page, a list change refreshed, a resource read, a template's variable completed and read; no token or a foreign Origin: 403; screenshots in " + shots);
} catch (error) {
  fail(error.stack || String(error));
} finally {
  await browser.close();
  for (const child of children) child.kill();
}
