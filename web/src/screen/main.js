// The big screen at /screen/: a 1920x1080 canvas scaled as a whole to the display.
// This release is the shell only; live figures arrive with the statistics API.
import { createApp } from 'vue'
import App from './App.vue'
import './screen.css'

createApp(App).mount('#app')
