// Tokenizes the shipped plans with the TextMate grammar, as VS Code does (vscode-textmate and
// the Oniguruma engine), and checks what a reader sees: article ids as labels, item keywords,
// names declared, strings and comments whole.  `npm test` runs it; tests/test_highlight.py too
// when node_modules is installed.
"use strict";

const fs = require("fs");
const path = require("path");
const assert = require("assert");
const vsctm = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const root = path.resolve(__dirname, "..", "..", "..");
const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;

async function main() {
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () => vsctm.parseRawGrammar(
      fs.readFileSync(path.join(__dirname, "..", "syntaxes", "policy.tmLanguage.json"), "utf8"),
      "policy.tmLanguage.json"),
  });
  const grammar = await registry.loadGrammar("source.policy");
  const plans = fs.readdirSync(path.join(root, "policies")).filter((f) => f.endsWith(".policy"));
  assert(plans.length > 0);
  for (const plan of plans) {
    const lines = fs.readFileSync(path.join(root, "policies", plan), "utf8").split("\n");
    const scoped = {};  // text -> scopes of its first token
    const labels = new Set();
    let state = vsctm.INITIAL;
    for (const line of lines) {
      const result = grammar.tokenizeLine(line, state);
      for (const token of result.tokens) {
        const text = line.slice(token.startIndex, token.endIndex);
        const scopes = token.scopes.join(" ");
        if (!(text.trim() in scoped)) scoped[text.trim()] = scopes;
        if (scopes.includes("entity.name.label.article")) labels.add(text);
      }
      state = result.ruleStack;
    }
    const articles = lines.filter((l) => l.startsWith("article ")).map((l) => l.split(" ")[1]);
    for (const id of articles) assert(labels.has(id), `${plan}: article ${id} is not a label`);
    assert.match(scoped["rule"], /keyword\.declaration/, plan);
    assert.match(scoped["cites"], /keyword\.other\.cites/, plan);
    assert.match(scoped["when"], /keyword\.control/, plan);
    assert.match(scoped["gate"], /storage\.type\.rule-kind/, plan);
    assert.match(scoped["paused"], /constant\.other\.outcome/, plan);
    const comment = lines.find((l) => l.startsWith("#"));
    assert.match(scoped[comment.trim()], /comment\.line/, plan);
    for (const [text, scopes] of Object.entries(scoped)) {
      if (text.startsWith('"') && text.endsWith('"') && text.length > 1) assert.match(scopes, /string\.quoted/, text);
    }
    console.log(`${plan}: ${articles.length} articles labelled, keywords, kinds, outcomes, strings and comments scoped`);
  }
}

main().catch((error) => { console.error(error); process.exit(1); });
