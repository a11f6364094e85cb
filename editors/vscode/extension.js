// Starts `policy lsp` (the language server of this repository, over stdio) for .policy files.
// The command is the setting `policy.server.command`; by default the `policy` on PATH.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("policy").get("server.command", ["policy", "lsp"]);
  const server = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "policy",
    "Policy language server",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "policy" }, { scheme: "untitled", language: "policy" }] },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
