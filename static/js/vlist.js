// A virtual list: only the rows in view exist in the DOM, so 100,000 rows cost what 30 do.
// It follows the live edge (the last row) unless the reader has scrolled away from it.

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
    this.expectedTop = null; // where the list last scrolled itself
    this.rows = new Map();
    container.addEventListener("scroll", () => {
      // A scroll event that finds the list where it put itself is the list's own; anything
      // else is the reader's, even right after a programmatic scroll (events coalesce).
      const own = this.expectedTop !== null &&
        Math.abs(container.scrollTop - this.expectedTop) <= 1;
      this.expectedTop = null;
      if (!own) {
        const bottom = container.scrollHeight - container.clientHeight - container.scrollTop;
        this.following = bottom < this.rowHeight * 1.5;
        container.dispatchEvent(new CustomEvent("follow", { detail: this.following }));
      }
      this.draw();
    });
    new ResizeObserver(() => this.update(this.count)).observe(container);
  }

  /** Set the number of rows and redraw the visible ones (scrolls to the end when following). */
  update(count) {
    this.count = count;
    this.spacer.style.height = `${count * this.rowHeight}px`;
    if (this.following) {
      const target = Math.max(0, count * this.rowHeight - this.container.clientHeight);
      if (Math.abs(this.container.scrollTop - target) > 1) {
        this.scrollTo(target);
      }
    }
    this.draw();
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
    this.expectedTop = this.container.scrollTop; // as clamped by the browser
  }

  /** Jump back to the live edge and follow it. */
  follow() {
    this.following = true;
    this.update(this.count);
  }

  /** Redraw the rows in view; a row whose HTML did not change keeps its node (and animation). */
  draw() {
    const h = this.rowHeight;
    const first = Math.max(0, Math.floor(this.container.scrollTop / h) - 2);
    const last = Math.min(this.count, Math.ceil((this.container.scrollTop +
      this.container.clientHeight) / h) + 2);
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
    this.update(0);
  }
}
