// `node --import ./tests/js/register.mjs`: lets node import static/js/vocabulary.js, which is
// no file (the server generates it from sim/trace/vocabulary.py): the loader asks Python.
import { register } from "node:module";

register("./vocabulary_loader.mjs", import.meta.url);
