'use strict';
// Contrast of the colours the browser computed (WCAG 2.x relative
// luminance), measured in the page. `measure(page, what)` returns a list of
// { what, ratio, need, fg, bg } for:
//   'controls': every visible text input's border against its own
//               background and against what surrounds it, and every
//               visible button's edge (border, or its fill) against what
//               surrounds it: 3:1 (WCAG 1.4.11);
//   'text':     every visible element's own text against the background
//               behind it: 4.5:1, or 3:1 for large text (WCAG 1.4.3);
//   'focus':    the focused element's outline against what surrounds it:
//               3:1, and that it has an outline at all, 2px or more.
const assert = require('node:assert/strict');

function inPage(what) {
  function parse(text) {
    const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(text.trim());
    if (!m) throw new Error(`cannot read the colour "${text}"`);
    return { r: Number(m[1]), g: Number(m[2]), b: Number(m[3]), a: m[4] === undefined ? 1 : Number(m[4]) };
  }
  function over(top, bottom) {
    const a = top.a + bottom.a * (1 - top.a);
    if (a === 0) return { r: 0, g: 0, b: 0, a: 0 };
    const mix = (k) => (top[k] * top.a + bottom[k] * bottom.a * (1 - top.a)) / a;
    return { r: mix('r'), g: mix('g'), b: mix('b'), a };
  }
  // The colour behind `element`: its background and its ancestors', down
  // to the first opaque one (the root's, which paints the canvas).
  function backgroundOf(element) {
    const layers = [];
    for (let node = element; node; node = node.parentElement) {
      const colour = parse(getComputedStyle(node).backgroundColor);
      if (colour.a > 0) layers.push(colour);
      if (colour.a >= 1) break;
    }
    let result = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i -= 1) result = over(layers[i], result);
    return result;
  }
  function luminance({ r, g, b }) {
    const lin = (v) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  }
  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  const hex = ({ r, g, b }) => `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;
  function visible(element) {
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  }
  function describe(element) {
    const name = element.id ? `#${element.id}` : element.className ? `.${String(element.className).split(' ')[0]}` : '';
    const label = (element.getAttribute('aria-label') || element.textContent || '').trim().slice(0, 30);
    return `${element.tagName.toLowerCase()}${name}${label ? ` "${label}"` : ''}`;
  }
  const results = [];
  function record(whatItIs, fg, bg, need) {
    const opaqueFg = over(fg, bg);
    results.push({ what: whatItIs, ratio: Math.round(contrast(opaqueFg, bg) * 100) / 100, need, fg: hex(opaqueFg), bg: hex(bg) });
  }

  if (what === 'controls') {
    for (const input of document.querySelectorAll('input:not([type="checkbox"]):not([type="hidden"])')) {
      if (!visible(input)) continue;
      const style = getComputedStyle(input);
      const own = backgroundOf(input);
      const around = backgroundOf(input.parentElement);
      for (const side of ['Top', 'Right', 'Bottom', 'Left']) {
        const border = parse(style[`border${side}Color`]);
        if (parseFloat(style[`border${side}Width`]) < 1) {
          results.push({ what: `${describe(input)} has no ${side.toLowerCase()} border`, ratio: 0, need: 3, fg: '', bg: '' });
          continue;
        }
        record(`${describe(input)} ${side.toLowerCase()} border against its field`, border, own, 3);
        record(`${describe(input)} ${side.toLowerCase()} border against the page around it`, border, around, 3);
      }
    }
    for (const button of document.querySelectorAll('button')) {
      if (!visible(button)) continue;
      const style = getComputedStyle(button);
      const around = backgroundOf(button.parentElement);
      const fill = over(parse(style.backgroundColor), around);
      const border = parseFloat(style.borderTopWidth) >= 1 ? over(parse(style.borderTopColor), around) : fill;
      const edge = contrast(border, around) >= contrast(fill, around) ? border : fill;
      record(`${describe(button)} edge against the page around it`, edge, around, 3);
    }
  } else if (what === 'text') {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT);
    for (let element = walker.currentNode; element; element = walker.nextNode()) {
      const ownText = [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim() !== '');
      const isField = element.tagName === 'INPUT' && element.type !== 'checkbox' && element.value !== '';
      if ((!ownText && !isField) || !visible(element)) continue;
      const style = getComputedStyle(element);
      const size = parseFloat(style.fontSize);
      const bold = Number(style.fontWeight) >= 700;
      const large = size >= 24 || (bold && size >= 18.66);
      record(`text of ${describe(element)}`, parse(style.color), backgroundOf(element), large ? 3 : 4.5);
    }
  } else if (what === 'focus') {
    const element = document.activeElement;
    if (!element || element === document.body) {
      results.push({ what: 'nothing has the focus', ratio: 0, need: 3, fg: '', bg: '' });
    } else {
      const style = getComputedStyle(element);
      const width = parseFloat(style.outlineWidth);
      if (style.outlineStyle === 'none' || !(width >= 2) || !element.matches(':focus-visible')) {
        results.push({ what: `${describe(element)} shows no focus ring (outline ${style.outlineStyle} ${style.outlineWidth})`, ratio: 0, need: 3, fg: '', bg: '' });
      } else {
        // The ring is drawn outside the element (outline-offset >= 0), on
        // what surrounds it.
        record(`focus ring of ${describe(element)}`, parse(style.outlineColor), backgroundOf(element.parentElement), 3);
      }
    }
  } else {
    throw new Error(`nothing to measure called ${what}`);
  }
  return results;
}

async function measure(page, what) {
  return page.evaluate(inPage, what);
}

// Fails with every measurement below its minimum, listed.
function assertContrast(results, context) {
  assert.ok(results.length > 0, `${context}: nothing was measured`);
  const low = results.filter((r) => !(r.ratio >= r.need));
  assert.deepEqual(low.map((r) => `${r.what}: ${r.ratio}:1 (${r.fg} on ${r.bg}), needs ${r.need}:1`), [], context);
}

// The colour the page is painted with (the root element's background), and
// its relative luminance (0 black … 1 white).
async function pageLuminance(page) {
  return page.evaluate(() => {
    const m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)/.exec(getComputedStyle(document.documentElement).backgroundColor);
    const lin = (v) => {
      const c = Number(v) / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * lin(m[1]) + 0.7152 * lin(m[2]) + 0.0722 * lin(m[3]);
  });
}

module.exports = { measure, assertContrast, pageLuminance };
