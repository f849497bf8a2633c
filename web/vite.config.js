// Vite build of the xuefen web UI. Element Plus components are imported on
// demand (unplugin-vue-components + ElementPlusResolver: only the components
// a page uses, each with its own CSS), every page is its own chunk (router
// lazy imports), and every emitted text file also gets a .gz beside it that
// `xuefen serve` sends to browsers accepting gzip (src/http/static.c).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { fileURLToPath, URL } from 'node:url'
import { gzipFiles } from './build/gzip.js'

export default defineConfig({
  plugins: [
    vue(),
    Components({
      dirs: [],
      dts: false,
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
    }),
    gzipFiles(),
  ],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    target: ['es2020', 'chrome87', 'edge88', 'firefox78', 'safari14'],
    chunkSizeWarningLimit: 700,
    reportCompressedSize: false,
    rollupOptions: {
      output: {
        // Vue and the router change rarely: one long-cached chunk.
        manualChunks(id) {
          if (/node_modules\/(@vue|vue|vue-router)\//.test(id)) return 'vue'
          if (/node_modules\/(echarts|zrender)\//.test(id)) return 'echarts'
          return undefined
        },
      },
    },
  },
  server: {
    // `npm run dev` talks to a `xuefen serve` on the default address.
    proxy: { '/api': process.env.XUEFEN_URL || 'http://127.0.0.1:8080' },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.test.js'],
    css: false,
    server: { deps: { inline: ['element-plus'] } },
  },
})
