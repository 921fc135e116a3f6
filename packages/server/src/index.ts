export { type AppOptions, createApp } from './app.ts';
export { safeEqual } from './auth.ts';
export { DASHBOARD_PATH } from './dashboard.ts';
export { isLoopback, type RunningServer, type ServerOptions, startServer } from './server.ts';
