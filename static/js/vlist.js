// A virtual list: only the rows in view exist in the DOM, so 100,000 rows cost what 30 do.
// It follows the live edge (the last row) unless the reader has scrolled away from it.
// Lists changed in one task (a frame's render, a seek) redraw together in a microtask after
// it. A list that follows the live edge knows its rows from its row count and height alone:
// it writes them, then scrolls, so the page lays out once for all of them (a list the reader
// has scrolled must first read where it is, and lays out once more). A list out of view
// redraws after the frame is painted, so that what is in view paints first.

const pending = new Set();
const afterLists = new Set(); // drawings that read the page's style: see drawAfterLists
const unseen = new Set(); // lists out of view, to redraw a frame after the next one
let unseenScheduled = false;

/** Redraw `lists`: rows, scroll, then each list's whenPainted callbacks. */
function redraw(lists) {
  const reading = []; // lists the reader has scrolled: they must read where they are
  for (const list of lists) list.resize(); // the height of every row (writes)
  for (const list of lists) {
    if (list.planEdge()) list.paint(); // at the live edge: writes, no reads
    else reading.push(list);
  }
  for (const list of lists) list.applyScroll(); // writes (the first one lays the page out)
  for (const list of reading) list.measure(); // reads, the layout clean
  for (const list of reading) list.paint(); // writes
  for (const list of lists) list.settle();
}

function flush() {
  const lists = [];
  for (const list of pending) {
    if (list.inView || list.scrolled) {
      list.scrolled = false;
      lists.push(list);
      unseen.delete(list);
    } else unseen.add(list);
  }
  pending.clear();
  redraw(lists);
  const draws = [...afterLists];
  afterLists.clear();
  for (const draw of draws) draw();
  if (unseen.size && !unseenScheduled) {
    unseenScheduled = true;
    afterPresented(() => {
      unseenScheduled = false;
      const lists = [...unseen];
      unseen.clear();
      redraw(lists);
    });
  }
}

/** Run `task` a frame after the one now being made: that frame's rAF, the next frame's, then
 * a task. Run right after the first frame's commit (as before), a list's redraw took the
 * cores that frame's raster and draw were using (two cores here). */
function afterPresented(task) {
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(task, 0)));
}

function later() {
  if (!pending.size && !afterLists.size) queueMicrotask(flush);
}

/** Run `draw` after the lists changed in this task have redrawn (in the same microtask), when
 * the page is laid out: for a drawing that reads the page's style or layout, such as text on
 * a canvas in the page (which makes the browser bring the page's style, and the layout of
 * the containers that style queries, up to date first), so that the page is not laid out
 * once for it and once more for the lists. A draw asked for twice runs once. */
export function drawAfterLists(draw) {
  later();
  afterLists.add(draw);
}

export class VirtualList {
  /** container scrolls; renderRow(index) returns the HTML of row `index`. */
  constructor(container, renderRow, { rowHeight = 32, follow = true } = {}) {
    this.container = container;
    this.renderRow = renderRow;
    this.rowHeight = rowHeight;
    this.count = 0;
    this.following = follow;
    this.spacer = document.createElement("div");
    this.spacer.className = "vlist-spacer";
    this.body = document.createElement("div");
    this.body.className = "vlist-rows";
    this.spacer.append(this.body);
    container.append(this.spacer);
    this.expectedTop = null; // where the list last scrolled itself (until its scroll event)
    this.top = 0; // the container's scrollTop when last read or set
    this.pin = null; // a row kept in view while following (pinRow)
    this.rows = new Map();
    this.height = null; // the container's clientHeight, kept by a ResizeObserver
    this.wantTop = null; // where the list is to scroll itself at the next flush
    this.range = [0, 0]; // the rows in view (and two either side), from the last measure
    this.inView = true; // the container is on screen (an IntersectionObserver keeps it)
    this.scrolled = false; // scrolled since the last redraw
    this.painted = []; // callbacks for the next redraw: see whenPainted
    container.addEventListener("scroll", () => {
      // A scroll event that finds the list where it put itself is the list's own; anything
      // else is the reader's, even right after a programmatic scroll (events coalesce).
      this.top = container.scrollTop;
      const own = this.expectedTop !== null && Math.abs(this.top - this.expectedTop) <= 1;
      this.expectedTop = null;
      if (!own) {
        const bottom = container.scrollHeight - container.clientHeight - container.scrollTop;
        this.following = bottom < this.rowHeight * 1.5;
        container.dispatchEvent(new CustomEvent("follow", { detail: this.following }));
      }
      this.scrolled = true; // scrolled: its rows now, in view or not
      this.draw();
    });
    new ResizeObserver(() => {
      this.height = container.clientHeight; // laid out already: no extra layout
      this.update(this.count);
    }).observe(container);
    new IntersectionObserver((entries) => {
      this.inView = entries[entries.length - 1].isIntersecting;
    }).observe(container);
  }

  /** Run `callback` once the list has redrawn its rows (in view: in the microtask after this
   * task; out of view: a frame after the next one). */
  whenPainted(callback) {
    this.painted.push(callback);
    this.draw();
  }

  /** Run the callbacks waiting for this redraw. */
  settle() {
    for (const callback of this.painted.splice(0)) callback();
  }

  /** Set the number of rows and redraw the visible ones (scrolls to the end when following),
   * in a microtask after the current task. */
  update(count) {
    this.count = count;
    if (this.following) {
      if (this.height === null) this.height = this.container.clientHeight;
      this.wantTop = Math.max(0, count * this.rowHeight - this.height);
      // a pinned row stays in view: the edge is followed only as far as it leaves it shown
      if (this.pin !== null) this.wantTop = Math.min(this.wantTop, this.pin * this.rowHeight);
    }
    this.draw();
  }

  /** Rows of `h` px from now on (the type size changed): every row is drawn again. */
  setRowHeight(h) {
    if (h === this.rowHeight) return;
    const first = Math.floor(this.top / this.rowHeight);
    this.rowHeight = h;
    for (const row of this.rows.values()) row.node.remove();
    this.rows = new Map();
    this.resize();
    if (!this.following) this.scrollTo(first * h);
    this.update(this.count);
  }

  /** Keep row `index` in view while following the live edge (null: none). */
  pinRow(index) {
    this.pin = index;
  }

  /** Give the spacer the height of every row (at the redraw, not before: a list out of view
   * whose spacer shrank a frame before its rows were drawn would be scrolled by the browser,
   * which reads as the reader's scroll). */
  resize() {
    const height = `${this.count * this.rowHeight}px`;
    if (this.spacer.style.height !== height) this.spacer.style.height = height;
  }

  /** Scroll to the live edge if following (see flush). */
  applyScroll() {
    if (this.wantTop !== null && this.following && Math.abs(this.top - this.wantTop) > 1) {
      this.scrollTo(this.wantTop);
    }
    this.wantTop = null;
  }

  /** The rows in view when the view's top is at `top` (and two either side). */
  rangeAt(top) {
    const h = this.rowHeight;
    this.range = [Math.max(0, Math.floor(top / h) - 2),
      Math.min(this.count, Math.ceil((top + this.height) / h) + 2)];
  }

  /** Which rows are in view at the live edge, if the list is going there (no reads); false if
   * it must read where it is (see flush). */
  planEdge() {
    if (this.wantTop === null || !this.following || this.height === null) return false;
    this.rangeAt(this.wantTop);
    return true;
  }

  /** Which rows are in view (see flush). */
  measure() {
    this.top = this.container.scrollTop;
    this.height = this.container.clientHeight;
    this.rangeAt(this.top);
  }

  /** Scroll so that row `index` is in the middle of the view (stops following). */
  reveal(index) {
    const top = index * this.rowHeight - this.container.clientHeight / 2 + this.rowHeight;
    this.following = false;
    this.scrollTo(Math.max(0, top));
    this.draw();
  }

  /** Scroll the container itself (remembering where, so its scroll event is not the reader's). */
  scrollTo(top) {
    this.container.scrollTop = top;
    this.top = this.container.scrollTop; // as clamped by the browser
    this.expectedTop = this.top;
  }

  /** Jump back to the live edge and follow it. */
  follow() {
    this.following = true;
    this.update(this.count);
  }

  /** Redraw the rows in view, in a microtask after the current task. */
  draw() {
    later();
    pending.add(this);
  }

  /** Redraw the rows in view (see flush); a row whose HTML did not change keeps its node (and
   * animation). */
  paint() {
    const h = this.rowHeight;
    const [first, last] = this.range;
    const keep = new Map();
    for (let i = first; i < last; i += 1) {
      const html = this.renderRow(i);
      let row = this.rows.get(i);
      if (!row || row.html !== html) {
        const node = document.createElement("div");
        node.className = "vrow";
        node.style.top = `${i * h}px`;
        node.style.height = `${h}px`;
        node.innerHTML = html;
        if (row) row.node.replaceWith(node);
        else this.body.append(node);
        row = { node, html };
      }
      keep.set(i, row);
    }
    for (const [i, row] of this.rows) if (!keep.has(i)) row.node.remove();
    this.rows = keep;
  }

  /** Forget every row (a new run). */
  clear() {
    for (const row of this.rows.values()) row.node.remove();
    this.rows = new Map();
    this.following = true;
    this.pin = null;
    this.update(0);
  }
}
