// node --test: the line under a class question: how many of the connected devices voted.

import assert from "node:assert/strict";
import { test } from "node:test";

import { answerLine } from "../../static/js/class_poll.js";

const POLL = { choices: ["a", "b"], answer: null, rule: null };

test("an open question says how many of the connected devices voted", () => {
  assert.equal(answerLine({ ...POLL, open: true, votes: 12, connected: 30 }), "12 of 30 connected voted");
});

test("without a count of devices (an older server) it says the votes so far", () => {
  assert.equal(answerLine({ ...POLL, open: true, votes: 1 }), "1 vote so far");
});

test("a revealed question says its answer", () => {
  assert.equal(answerLine({ ...POLL, open: false, votes: 3, connected: null, answer: "a" }), "Answer: a");
});
