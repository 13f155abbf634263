/** Entry of `belfry-bell.js`, the one script host pages include: registers `<belfry-bell>`. */
import { defineBelfryBell } from './element.ts';

export { BelfryBellElement } from './element.ts';

defineBelfryBell();
