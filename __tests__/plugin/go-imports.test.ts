import { importSpans, rewriteGoImports, rewriteModuleLine } from '../../src/plugin/go-imports.js'

const OWN = 'github.com/gotify/plugin-template'
const map = (p: string): string | undefined => (p === OWN || p.startsWith(`${OWN}/`) ? `${OWN}~a${p.slice(OWN.length)}` : undefined)

test('every import form: single, grouped, named, dot, blank, raw strings, comments and cgo preamble; other paths and strings untouched', () => {
  const src = [
    '\ufeff// Package main is a plugin.',
    '//go:build linux',
    '',
    '/* a block',
    ' comment */ package main',
    '',
    '// #include "x.h"',
    'import "C"',
    'import cfg "github.com/gotify/plugin-template/config"',
    'import (',
    '\t"fmt" // fmt',
    '\t. "github.com/gotify/plugin-template/dot"',
    '\t_ `github.com/gotify/plugin-template/raw`',
    '\t/* x */ api "github.com/gotify/plugin-apis"',
    '\t"github.com/gotify/plugin-template"; "os"',
    ')',
    '',
    'import "github.com/gotify/plugin-template/late"',
    '',
    'var ModulePath = "github.com/gotify/plugin-template"',
    '',
    'import "github.com/gotify/plugin-template/not-an-import"'
  ].join('\n')
  expect(importSpans(src).map(s => s.path)).toEqual([
    'C',
    `${OWN}/config`,
    'fmt',
    `${OWN}/dot`,
    `${OWN}/raw`,
    'github.com/gotify/plugin-apis',
    OWN,
    'os',
    `${OWN}/late`
  ])
  const out = rewriteGoImports(src, map) ?? ''
  expect(out.split('\n')).toHaveLength(src.split('\n').length)
  expect(out).toContain('import cfg "github.com/gotify/plugin-template~a/config"')
  expect(out).toContain('\t. "github.com/gotify/plugin-template~a/dot"')
  expect(out).toContain('\t_ `github.com/gotify/plugin-template~a/raw`')
  expect(out).toContain('\t/* x */ api "github.com/gotify/plugin-apis"')
  expect(out).toContain('\t"github.com/gotify/plugin-template~a"; "os"')
  expect(out).toContain('import "github.com/gotify/plugin-template~a/late"')
  // A string in code is data (gotify's ModulePath): never rewritten, nor anything after the imports.
  expect(out).toContain('var ModulePath = "github.com/gotify/plugin-template"\n')
  expect(out).toContain('import "github.com/gotify/plugin-template/not-an-import"')
})

test('linkname targets of the module follow; a file without its imports is unchanged', () => {
  const src = 'package x\n\nimport _ "unsafe"\n\n//go:linkname f github.com/gotify/plugin-template/internal.f\nfunc f()\n\n//go:linkname g runtime.g\nfunc g()\n'
  expect(rewriteGoImports(src, map)).toBe(src.replace('plugin-template/internal.f', 'plugin-template~a/internal.f'))
  expect(rewriteGoImports('package x\n\nimport "fmt"\n', map)).toBeUndefined()
  expect(rewriteGoImports('not go at all', map)).toBeUndefined()
})

test("go.mod's module line names the new path, its comment and the rest kept", () => {
  expect(rewriteModuleLine('// c\nmodule github.com/gotify/plugin-template // template\n\ngo 1.21\n', 'github.com/gotify/plugin-template~a')).toBe('// c\nmodule github.com/gotify/plugin-template~a // template\n\ngo 1.21\n')
  expect(rewriteModuleLine('module "example.com/x"\n', 'example.com/x~b')).toBe('module "example.com/x~b"\n')
  expect(rewriteModuleLine('go 1.21\n', 'x')).toBeUndefined()
})
