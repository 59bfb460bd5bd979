/**
 * What a page looks like, measured in it from computed styles: font sizes, contrast ratios
 * (WCAG 2.1: relative luminance of the computed colours), the layout's heights. No judging by eye.
 */
import type { Page } from 'playwright-core';

export interface Measured {
  /** The computed font size of `body`, in px. */
  bodyPx: number;
  /** The smallest font size of any visible text, field or button, and what it is. */
  smallest: { px: number; what: string };
  /** The lowest contrast of visible text (disabled controls excepted) against what is behind it. */
  lowestText: { ratio: number; what: string };
  /** The lowest contrast of a field's or bordered button's border against what is behind it. */
  lowestBorder: { ratio: number; what: string };
}

/** Measures the page as it is now. */
export function measure(page: Page): Promise<Measured> {
  return page.evaluate(measureInPage);
}

/** Run in the page (by Playwright's or Puppeteer's evaluate): self-contained. */
export function measureInPage(): Measured {
  {
    type Rgba = { r: number; g: number; b: number; a: number };
    const parse = (color: string): Rgba | null => {
      const match = /rgba?\(([^)]+)\)/.exec(color);
      if (!match?.[1]) return null;
      const [r = 0, g = 0, b = 0, a = 1] = match[1]
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return { r, g, b, a };
    };
    const channel = (value: number) => {
      const v = value / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    };
    const luminance = ({ r, g, b }: Rgba) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
    const over = (top: Rgba, under: Rgba): Rgba => ({
      r: top.r * top.a + under.r * (1 - top.a),
      g: top.g * top.a + under.g * (1 - top.a),
      b: top.b * top.a + under.b * (1 - top.a),
      a: 1,
    });
    const ratio = (one: Rgba, other: Rgba) => {
      const [light, dark] = [luminance(one), luminance(other)].sort((x, y) => y - x) as [number, number];
      return (light + 0.05) / (dark + 0.05);
    };
    /** The colour behind an element: the nearest opaque background up its ancestors. */
    const behind = (element: Element | null): Rgba => {
      const layers: Rgba[] = [];
      for (let node = element; node; node = node.parentElement) {
        const color = parse(getComputedStyle(node).backgroundColor);
        if (color && color.a > 0) {
          layers.push(color);
          if (color.a === 1) break;
        }
      }
      return layers.reduceRight((under, top) => over(top, under), { r: 255, g: 255, b: 255, a: 1 });
    };
    const describe = (element: Element) => {
      const text = (element.textContent ?? '').trim().slice(0, 30);
      return `${element.tagName.toLowerCase()}${element.id ? `#${element.id}` : ''}${element.className ? `.${String(element.className).replace(/\s+/g, '.')}` : ''} "${text}"`;
    };
    const visible = (element: Element) => {
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return (
        box.width > 0 &&
        box.height > 0 &&
        style.visibility !== 'hidden' &&
        Number(style.opacity) > 0 &&
        !element.closest('.visually-hidden')
      );
    };
    const fieldSelector = 'input:not([type=checkbox]):not([type=radio]):not([type=file]), select, textarea';
    const withText = [...document.querySelectorAll('body *')].filter(
      (element) =>
        visible(element) &&
        (element.matches(`${fieldSelector}, button`) ||
          [...element.childNodes].some((node) => node.nodeType === Node.TEXT_NODE && node.textContent?.trim())),
    );
    const smallest = { px: Number.POSITIVE_INFINITY, what: '' };
    const lowestText = { ratio: Number.POSITIVE_INFINITY, what: '' };
    for (const element of withText) {
      const style = getComputedStyle(element);
      const px = Number.parseFloat(style.fontSize);
      if (px < smallest.px) Object.assign(smallest, { px, what: describe(element) });
      // WCAG exempts disabled controls from contrast.
      if (element.closest('button:disabled, input:disabled, select:disabled')) continue;
      const color = parse(style.color);
      if (!color) continue;
      const background = behind(element);
      const value = ratio(over(color, background), background);
      if (value < lowestText.ratio) Object.assign(lowestText, { ratio: value, what: describe(element) });
    }
    const lowestBorder = { ratio: Number.POSITIVE_INFINITY, what: '' };
    const bordered = [...document.querySelectorAll(`${fieldSelector}, button:not(.link), label.file-button`)].filter(
      (element) => visible(element) && Number.parseFloat(getComputedStyle(element).borderTopWidth) > 0,
    );
    for (const element of bordered) {
      if ((element as HTMLButtonElement).disabled) continue;
      const border = parse(getComputedStyle(element).borderTopColor);
      if (!border) continue;
      const background = behind(element.parentElement);
      const value = ratio(over(border, background), background);
      if (value < lowestBorder.ratio) Object.assign(lowestBorder, { ratio: value, what: describe(element) });
    }
    return { bodyPx: Number.parseFloat(getComputedStyle(document.body).fontSize), smallest, lowestText, lowestBorder };
  }
}

/**
 * The focus ring of each element reached with Tab from the top (up to `presses`): its contrast
 * against what is behind it, the lowest of them, and how many had one.
 */
export async function focusRings(page: Page, presses: number): Promise<{ lowest: number; what: string; seen: number }> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const rings: { ratio: number; what: string }[] = [];
  for (let index = 0; index < presses; index++) {
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const element = document.activeElement;
      if (!element || element === document.body) return null;
      const style = getComputedStyle(element);
      if (style.outlineStyle === 'none' || Number.parseFloat(style.outlineWidth) < 2) {
        return { ratio: 0, what: `${element.tagName} without a ring` };
      }
      const parse = (color: string) =>
        (/rgba?\(([^)]+)\)/.exec(color)?.[1] ?? '0 0 0')
          .split(/[\s,/]+/)
          .filter(Boolean)
          .map(Number);
      const channel = (value: number) => {
        const v = value / 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      const luminance = ([r = 0, g = 0, b = 0]: number[]) =>
        0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
      let background = [255, 255, 255];
      for (let node = element.parentElement; node; node = node.parentElement) {
        const color = parse(getComputedStyle(node).backgroundColor);
        if ((color[3] ?? 1) > 0 && /rgb/.test(getComputedStyle(node).backgroundColor)) {
          background = color;
          break;
        }
      }
      const [light, dark] = [luminance(parse(style.outlineColor)), luminance(background)].sort((x, y) => y - x) as [
        number,
        number,
      ];
      return { ratio: (light + 0.05) / (dark + 0.05), what: `${element.tagName} ${element.textContent?.slice(0, 20)}` };
    });
    if (ring) rings.push(ring);
  }
  const lowest = rings.reduce((low, ring) => (ring.ratio < low.ratio ? ring : low), {
    ratio: Number.POSITIVE_INFINITY,
    what: '',
  });
  return { lowest: lowest.ratio, what: lowest.what, seen: rings.length };
}

/** The popup's content height, and where an element's bottom edge is (px from the top). */
export async function heightOf(page: Page): Promise<number> {
  return page.evaluate(() => Math.round(document.querySelector('main')?.getBoundingClientRect().height ?? 0));
}

export async function bottomOf(page: Page, selector: string): Promise<number> {
  return page.evaluate(
    (query) => Math.round(document.querySelector(query)?.getBoundingClientRect().bottom ?? Number.POSITIVE_INFINITY),
    selector,
  );
}
