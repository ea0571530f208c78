// Front end of jiceng: three entry points built into web/dist and served by the C server.
//   /         web/index.html         mobile H5 (Vant 4)
//   /admin/   web/admin/index.html   console (Element Plus)
//   /screen/  web/screen/index.html  1920x1080 big screen
// Hashed files land in /assets/ (the server caches them forever); the index.html files are
// served no-cache. Both apps use hash routing, so the server needs no SPA fallback.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import { fileURLToPath } from 'node:url'

const here = (p) => fileURLToPath(new URL(p, import.meta.url))

// Nothing is loaded from another site (the server's Content-Security-Policy allows only our own
// origin, and village networks may not reach the internet): Vant's icon font already comes
// inline as a data: woff2, so its fallback on at.alicdn.com is dropped from the CSS.
const noRemoteFonts = {
    name: 'jiceng-no-remote-fonts',
    enforce: 'pre',
    transform(code, id) {
        if (!/node_modules[\\/](vant|@vant)[\\/].*\.css$/.test(id)) return null
        const out = code.replace(/,\s*url\((?:https?:)?\/\/at\.alicdn\.com[^)]*\)\s*format\("woff"\)/g, '')
        return out === code ? null : { code: out, map: null }
    },
}

// `npx vite` / `vite preview` forward the API to a local jiceng (`jiceng serve --port 8099`);
// JICENG_API overrides the target.
const apiTarget = process.env.JICENG_API || 'http://127.0.0.1:8099'
const proxy = {
    '/api': { target: apiTarget, changeOrigin: false },
    '/healthz': { target: apiTarget },
}

export default defineConfig({
    root: here('.'),
    base: '/',
    publicDir: false,
    plugins: [noRemoteFonts, vue()],
    resolve: {
        alias: { '@common': here('src/common') },
    },
    build: {
        outDir: here('dist'),
        emptyOutDir: true,
        assetsDir: 'assets',
        // Old Android WebViews (WeChat's X5 / XWeb on cheap phones) still run Chrome 8x.
        target: ['es2020', 'chrome80', 'safari13'],
        cssTarget: ['chrome80', 'safari13'],
        chunkSizeWarningLimit: 800,
        // rolldownOptions is Vite 8's name for what earlier versions called rollupOptions.
        rolldownOptions: {
            input: {
                h5: here('index.html'),
                admin: here('admin/index.html'),
                screen: here('screen/index.html'),
            },
            // Named vendor chunks: they change less often than our code, so browsers keep them
            // across releases, and the H5 never downloads Element Plus (nor the console Vant).
            output: {
                codeSplitting: {
                    groups: [
                        { name: 'vue', test: /node_modules[\\/](@vue|vue|vue-router|pinia)[\\/]/, priority: 30 },
                        { name: 'vant', test: /node_modules[\\/](vant|@vant)[\\/]/, priority: 20 },
                        {
                            name: 'element-plus',
                            test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|@popperjs|@ctrl|async-validator|dayjs|lodash-es|lodash-unified|lodash|@vueuse|memoize-one|normalize-wheel-es)[\\/]/,
                            priority: 20,
                        },
                    ],
                },
            },
        },
    },
    server: { host: '127.0.0.1', port: 5173, proxy },
    preview: { host: '127.0.0.1', port: 4173, proxy },
})
