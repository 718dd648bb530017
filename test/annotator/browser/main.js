// Browser harness for the annotator (not a unit test): a 2048x1024 synthetic frame with a
// road band, the palette and the canvas. Built by vite.config.mjs, driven by smoke.mjs.
import { createApp, h, ref } from 'vue';
import AnnotatorCanvas from '../../../src/renderer/src/annotator/AnnotatorCanvas.vue';
import ClassPalette from '../../../src/renderer/src/annotator/ClassPalette.vue';
import { CITYSCAPES_LABEL_SET as labelSet } from '../../../src/core/labels/cityscapes';

// A synthetic 2048x1024 frame: gradient.
const c = document.createElement('canvas');
c.width = 2048; c.height = 1024;
const g = c.getContext('2d');
const grad = g.createLinearGradient(0, 0, 2048, 1024);
grad.addColorStop(0, '#335'); grad.addColorStop(1, '#cc9');
g.fillStyle = grad; g.fillRect(0, 0, 2048, 1024);
const url = c.toDataURL('image/png');
const mask = new Uint8Array(2048 * 1024).fill(255);
for (let y = 700; y < 1024; y++) mask.fill(0, y * 2048, (y + 1) * 2048);

const w = window;
w.changes = 0; w.errors = [];
const App = {
  setup() {
    const cls = ref(13);
    const canvas = ref();
    w.canvasRef = canvas;
    return () => h('div', { style: 'display:flex;width:100%;height:100%' }, [
      h('div', { style: 'width:180px;overflow:auto' }, [h(ClassPalette, { labelSet, modelValue: cls.value, 'onUpdate:modelValue': (v) => (cls.value = v) })]),
      h('div', { style: 'flex:1' }, [h(AnnotatorCanvas, {
        ref: canvas, labelSet, image: url, mask, maskWidth: 2048, maskHeight: 1024, depth: url,
        activeClass: cls.value, 'onUpdate:activeClass': (v) => (cls.value = v),
        onChange: () => { w.changes++; }, onError: (m) => w.errors.push(m), onReady: () => { w.ready = true; },
      })]),
    ]);
  },
};
createApp(App).mount('#app');
