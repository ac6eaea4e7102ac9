import { runMain } from './app/cli';
import { loadConfig } from './app/config';
import { synthesizeApp } from './app/synth';

// The app `cdktf synth` and `cdktf deploy` run (cdktf.json); `npm run deploy` synthesizes in its own process.
runMain(() => {
  synthesizeApp(loadConfig());
  return 0;
});
