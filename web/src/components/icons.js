// The icons the UI uses, registered once by name (routes name them in
// meta.icon). Only these are bundled.
import {
  ArrowDown,
  Check,
  Close,
  DataAnalysis,
  Document,
  Download,
  Expand,
  Finished,
  Fold,
  Key,
  Lock,
  Medal,
  Printer,
  Reading,
  Refresh,
  Search,
  SwitchButton,
  Upload,
  User,
  UploadFilled,
  Warning,
  Edit,
  View,
  OfficeBuilding,
} from '@element-plus/icons-vue'

const icons = {
  ArrowDown,
  Check,
  Close,
  DataAnalysis,
  Document,
  Download,
  Expand,
  Finished,
  Fold,
  Key,
  Lock,
  Medal,
  Printer,
  Reading,
  Refresh,
  Search,
  SwitchButton,
  Upload,
  User,
  UploadFilled,
  Warning,
  Edit,
  View,
  OfficeBuilding,
}

export function registerIcons(app) {
  for (const [name, comp] of Object.entries(icons)) app.component(`Icon${name}`, comp)
}

/** The component name of an icon for <component :is>. */
export function iconName(name) {
  return name && icons[name] ? `Icon${name}` : null
}
