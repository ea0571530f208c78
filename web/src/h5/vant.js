// vant.js — the Vant parts the phone app uses, registered once with their styles, zh-CN locale.
import {
    Badge,
    Checkbox,
    Search,
    Stepper,
    Button,
    Cascader,
    Cell,
    CellGroup,
    Dialog,
    Empty,
    Field,
    Form,
    Icon,
    ImagePreview,
    List,
    Loading,
    Locale,
    NavBar,
    NoticeBar,
    Popup,
    PullRefresh,
    Rate,
    Tabbar,
    TabbarItem,
    Tag,
    Toast,
    Uploader,
} from 'vant'
import zhCN from 'vant/es/locale/lang/zh-CN'

import 'vant/es/badge/style/index'
import 'vant/es/checkbox/style/index'
import 'vant/es/search/style/index'
import 'vant/es/stepper/style/index'
import 'vant/es/button/style/index'
import 'vant/es/cascader/style/index'
import 'vant/es/cell/style/index'
import 'vant/es/cell-group/style/index'
import 'vant/es/dialog/style/index'
import 'vant/es/empty/style/index'
import 'vant/es/field/style/index'
import 'vant/es/form/style/index'
import 'vant/es/icon/style/index'
import 'vant/es/image-preview/style/index'
import 'vant/es/list/style/index'
import 'vant/es/loading/style/index'
import 'vant/es/nav-bar/style/index'
import 'vant/es/notice-bar/style/index'
import 'vant/es/popup/style/index'
import 'vant/es/pull-refresh/style/index'
import 'vant/es/rate/style/index'
import 'vant/es/tabbar/style/index'
import 'vant/es/tabbar-item/style/index'
import 'vant/es/tag/style/index'
import 'vant/es/toast/style/index'
import 'vant/es/uploader/style/index'

const COMPONENTS = [
    Badge,
    Checkbox,
    Search,
    Stepper,
    Button,
    Cascader,
    Cell,
    CellGroup,
    Dialog,
    Empty,
    Field,
    Form,
    Icon,
    ImagePreview,
    List,
    Loading,
    NavBar,
    NoticeBar,
    Popup,
    PullRefresh,
    Rate,
    Tabbar,
    TabbarItem,
    Tag,
    Toast,
    Uploader,
]

export function vantInstall(app) {
    Locale.use('zh-CN', zhCN)
    for (const c of COMPONENTS) app.use(c)
}
