// The working-day calendars the server ships (calendar/cn-YYYY.txt, also
// compiled into the binary), bundled with the 公示 pages so that they can
// say how many working days a window has left.
import { mergeCalendars, parseCalendar } from './workdays.js'

const files = import.meta.glob('../../../../calendar/cn-*.txt', { query: '?raw', import: 'default', eager: true })

/** The shipped calendars, merged. */
export const shippedCalendar = mergeCalendars(Object.values(files).map(parseCalendar))
