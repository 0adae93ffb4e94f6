/** The network's held-out charts say what they measure, in their keys and in their text alternatives. */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HeldOutCharts, NETWORK_LABEL } from '../../src/ui/HeldOutCharts';
import { HELD_OUT, METRIC_SET } from './ui-controller-fixtures';

const set = METRIC_SET;
const heldOut = HELD_OUT;

describe('HeldOutCharts', () => {
  it('labels every chart as the network before decoding on held-out windows, beside the real voices', () => {
    const html = renderToStaticMarkup(createElement(HeldOutCharts, { metrics: [{ epoch: 1, generated: set, reference: set, heldOut }] }));
    const labels = [...html.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]);
    expect(labels).toHaveLength(4);
    for (const label of labels) {
      expect(label).toMatch(/, held-out windows: (nats|rate) by epoch\. After epoch 1: network \(before decoding\) [\d.]+/);
      expect(label).toContain('before decoding, on 16 windows kept out of training.');
    }
    expect(labels[0]).toContain('Voice cross-entropy, held-out windows: nats by epoch. After epoch 1: network (before decoding) 3.200.');
    expect(labels[1]).toContain('network (before decoding) 0.60, real voices (held-out windows) 0.90.');
    expect(html.match(new RegExp(`>${NETWORK_LABEL.replace(/[()]/g, '\\$&')}<`, 'g'))).toHaveLength(4);
    expect(html).toContain('<caption>Network before decoding, 16 held-out windows, after epoch 1</caption>');
  });

  it('says why there is no chart when no window was held out', () => {
    const html = renderToStaticMarkup(createElement(HeldOutCharts, { metrics: [{ epoch: 1, generated: set, reference: set }] }));
    expect(html).toContain('data-testid="held-out-none"');
    expect(html).not.toContain('<figure');
  });
});
