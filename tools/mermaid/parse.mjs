// Reads [{name, source}] as JSON on stdin; parses each diagram with Mermaid's own parser and, for
// flowcharts, returns the graph Mermaid built (vertices with their shape and classes, edges with
// their labels). Prints [{name, ok, error, type, vertices, edges}] as JSON.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const { name, source } of JSON.parse(input)) {
  const entry = { name, ok: false, error: null, type: null, vertices: [], edges: [] };
  try {
    const parsed = await mermaid.parse(source);
    entry.type = parsed.diagramType;
    if (entry.type.startsWith("flowchart")) {
      const diagram = await mermaid.mermaidAPI.getDiagramFromText(source);
      const db = diagram.db;
      entry.vertices = [...db.getVertices().values()].map((v) => ({ id: v.id, text: v.text, type: v.type ?? null, classes: v.classes ?? [] }));
      entry.edges = db.getEdges().map((e) => ({ start: e.start, end: e.end, text: e.text ?? "" }));
    }
    entry.ok = true;
  } catch (err) {
    entry.error = String(err?.message ?? err).split("\n").slice(0, 4).join(" | ");
  }
  out.push(entry);
}
process.stdout.write(JSON.stringify(out));
