import * as tf from '@tensorflow/tfjs';
import { startWasmBackendInNode } from '../src/model/wasm/node';
for (const n of [2, 1, 2]) {
  const info = await startWasmBackendInNode(n);
  console.log(info);
  const x = tf.randomNormal([16, 32, 128, 32], 0, 1, 'float32', 1);
  const k = tf.randomNormal([4, 4, 32, 64], 0, 1, 'float32', 2);
  for (let i = 0; i < 3; i++) { const t = performance.now(); const y = tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'); const s = await y.sum().data(); console.log((performance.now() - t).toFixed(0), s[0]); }
}
