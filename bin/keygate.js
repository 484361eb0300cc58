#!/usr/bin/env node
'use strict';
// The CLI is compiled to dist/ by `npm install` (prepare) and `npm start` (prestart).
require('../dist/src/cli.js').run();
