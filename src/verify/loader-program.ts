/**
 * The stand-in host's main.go, and what it prints. It opens each plugin file
 * given, in the order given (the server's load order), as the server does:
 * plugin.Open, the symbols the server looks up, and (-info) the info function
 * called through reflection (no parameters, one result: a struct's exported
 * fields read as strings, a string as is). One result line per file, printed
 * as soon as it is known, so a crash on a later file keeps the earlier ones.
 * The program compiles with every Go since 1.12 (gotify v2.0.0's). Pure.
 */
import { StepError } from '../errors.js'
import { type InfoReading, parseInfoReading } from './plugin-info.js'

/** Prefix of the loader's result lines, so other stdout (a plugin's init) is not mistaken for one. */
export const RESULT_MARKER = 'GOPLUGINBUILD-LOADER-RESULT '

const IMPORT_PATH = /^[A-Za-z0-9][A-Za-z0-9._~+\-/]*$/

export function checkImportPath(p: string, what: string): void {
  if (!IMPORT_PATH.test(p) || p.includes('//') || p.split('/').some(e => e === '.' || e === '..')) {
    throw new StepError(`verify: ${what} "${p}" is not a valid Go import path`)
  }
}

/** main.go: `loader [-symbols A,B] [-info F] plugin.so...`; one RESULT_MARKER line of JSON per file. */
export function loaderMainGo(imports: string[], opts: { checkGoVersion?: boolean } = {}): string {
  for (const i of imports) checkImportPath(i, 'package')
  const blank = imports.map(i => `\t_ ${JSON.stringify(i)}\n`).join('')
  const check = opts.checkGoVersion ?? false
  // plugin.Open only compares package fingerprints, which can match across
  // patch releases: it then loads the plugin, and so does this loader, but
  // says that the Go versions differ.
  const goCheck = check
    ? `\tif bi, err := buildinfo.ReadFile(file); err == nil && bi.GoVersion != runtime.Version() {
\t\tr.Warning = fmt.Sprintf("the plugin was built with %s and the server with %s; plugin.Open accepts it because no shared package differs, but %s is the safe choice", bi.GoVersion, runtime.Version(), runtime.Version())
\t}
`
    : ''
  return `// Generated: stands for the server. It links the server's versions of the
// packages the plugins share with it, then loads each plugin like the server.
package main

import (
\t"encoding/json"
\t"flag"
\t"fmt"
\t"os"
\t"plugin"
\t"reflect"
\t"strings"
${check ? '\t"debug/buildinfo"\n\t"runtime"\n' : ''}${blank ? '\n' + blank : ''})

type field struct {
\tName  string \`json:"name"\`
\tValue string \`json:"value"\`
}

type info struct {
\tType   string  \`json:"type"\`
\tFields []field \`json:"fields,omitempty"\`
\tText   *string \`json:"text,omitempty"\`
\tError  string  \`json:"error,omitempty"\`
}

type result struct {
\tFile    string   \`json:"file"\`
\tLoaded  bool     \`json:"loaded"\`
\tError   string   \`json:"error,omitempty"\`
\tMissing []string \`json:"missing,omitempty"\`
\tWarning string   \`json:"warning,omitempty"\`
\tInfo    *info    \`json:"info,omitempty"\`
}

func clip(s string) string {
\tif len(s) > 1024 {
\t\treturn s[:1024] + "..."
\t}
\treturn s
}

// callInfo calls the info function as the server does; its panic is its result.
func callInfo(sym interface{}) (in *info) {
\tv := reflect.ValueOf(sym)
\tt := v.Type()
\tin = &info{Type: t.String()}
\tif t.Kind() != reflect.Func || t.NumIn() != 0 || t.NumOut() != 1 {
\t\tin.Error = "is not a function without parameters and with one result"
\t\treturn in
\t}
\tdefer func() {
\t\tif p := recover(); p != nil {
\t\t\tin.Error = clip(fmt.Sprintf("panicked: %v", p))
\t\t}
\t}()
\tout := v.Call(nil)[0]
\tot := out.Type()
\tin.Type = ot.String()
\tif ot.PkgPath() != "" {
\t\tin.Type = ot.PkgPath() + "." + ot.Name()
\t}
\tswitch out.Kind() {
\tcase reflect.String:
\t\ts := clip(out.String())
\t\tin.Text = &s
\tcase reflect.Struct:
\t\tfor i := 0; i < ot.NumField() && len(in.Fields) < 64; i++ {
\t\t\tf := ot.Field(i)
\t\t\tif f.PkgPath != "" {
\t\t\t\tcontinue
\t\t\t}
\t\t\tfv := out.Field(i)
\t\t\ts := ""
\t\t\tif fv.Kind() == reflect.String {
\t\t\t\ts = fv.String()
\t\t\t} else {
\t\t\t\ts = fmt.Sprint(fv.Interface())
\t\t\t}
\t\t\tin.Fields = append(in.Fields, field{Name: f.Name, Value: clip(s)})
\t\t}
\tdefault:
\t\tin.Error = "returns " + in.Type + ", neither a struct nor a string"
\t}
\treturn in
}

func open(file string, symbols []string, infoName string) (r result) {
\tr.File = file
\tp, err := plugin.Open(file)
\tif err != nil {
\t\tr.Error = err.Error()
\t\treturn r
\t}
${goCheck}\tfor _, s := range symbols {
\t\tif _, err := p.Lookup(s); err != nil {
\t\t\tr.Missing = append(r.Missing, s)
\t\t}
\t}
\tif len(r.Missing) > 0 {
\t\tr.Error = "plugin lacks symbols the server looks up"
\t\treturn r
\t}
\tr.Loaded = true
\tif infoName != "" {
\t\tif sym, err := p.Lookup(infoName); err != nil {
\t\t\tr.Info = &info{Error: "the plugin does not export it"}
\t\t} else {
\t\t\tr.Info = callInfo(sym)
\t\t}
\t}
\treturn r
}

func main() {
\tsymbols := flag.String("symbols", "", "symbols the server looks up, comma separated")
\tinfoName := flag.String("info", "", "the info function the server calls")
\tflag.Parse()
\tif flag.NArg() == 0 {
\t\tfmt.Fprintln(os.Stderr, "usage: loader [-symbols A,B] [-info F] plugin.so...")
\t\tos.Exit(2)
\t}
\tvar names []string
\tif *symbols != "" {
\t\tnames = strings.Split(*symbols, ",")
\t}
\tfailed := false
\tfor _, file := range flag.Args() {
\t\tr := open(file, names, *infoName)
\t\tb, _ := json.Marshal(r)
\t\tfmt.Printf("%s%s\\n", ${JSON.stringify(RESULT_MARKER)}, b)
\t\tfailed = failed || !r.Loaded
\t}
\tif failed {
\t\tos.Exit(1)
\t}
}
`
}

/** The loader's arguments for these files (as the sandbox sees them), in load order. */
export function loaderArgs(files: string[], o: { symbols: string[]; info?: string }): string[] {
  for (const s of [...o.symbols, ...(o.info ? [o.info] : [])]) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new StepError(`verify: "${s}" is not a Go identifier`)
  }
  return [...(o.symbols.length > 0 ? [`-symbols=${o.symbols.join(',')}`] : []), ...(o.info ? [`-info=${o.info}`] : []), '--', ...files]
}

export interface LoaderOutcome {
  /** The file as the loader was given it. */
  file?: string
  loaded: boolean
  error?: string
  missing?: string[]
  /** The Go versions differ though plugin.Open accepted the plugin. */
  warning?: string
  info?: InfoReading
}

function parseLine(line: string): LoaderOutcome | undefined {
  try {
    const r = JSON.parse(line.slice(RESULT_MARKER.length)) as Record<string, unknown>
    if (typeof r !== 'object' || r === null || typeof r.loaded !== 'boolean') return undefined
    const out: LoaderOutcome = { loaded: r.loaded }
    if (typeof r.file === 'string') out.file = r.file
    if (typeof r.error === 'string') out.error = r.error
    if (Array.isArray(r.missing)) out.missing = r.missing.filter((m): m is string => typeof m === 'string')
    if (typeof r.warning === 'string') out.warning = r.warning
    const info = parseInfoReading(r.info)
    if (info) out.info = info
    return out
  } catch {
    return undefined
  }
}

/** Every result line, by file, the last one for a file winning; other output ignored. */
export function parseLoaderResults(stdout: string): Map<string, LoaderOutcome> {
  const out = new Map<string, LoaderOutcome>()
  for (const l of stdout.split('\n')) {
    const r = l.startsWith(RESULT_MARKER) ? parseLine(l.replace(/\r$/, '')) : undefined
    if (r) out.set(r.file ?? '', r)
  }
  return out
}

/** The last result line of the loader's stdout; undefined when it printed none (it crashed). */
export function parseLoaderOutput(stdout: string): LoaderOutcome | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find(l => l.startsWith(RESULT_MARKER))
  return line ? parseLine(line) : undefined
}
