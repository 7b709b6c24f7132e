'use strict';
// The baseline of the load runs: the token server of Agora's Node tutorial, written here: express and
// agora-token, GET /rtc/:channel/:role/:tokentype/:uid?expiry= answering {"rtcToken": ...}, no caller
// authentication, no policy, no audit. Configuration from the environment: APP_ID, APP_CERTIFICATE,
// PORT (default 8080; 0 = any free port), BIND_ADDRESS (default 127.0.0.1).
// Prints "listening on <port>" on standard output once it accepts connections.
const express = require('express');
const { RtcTokenBuilder, RtcRole } = require('agora-token');

const APP_ID = process.env.APP_ID;
const APP_CERTIFICATE = process.env.APP_CERTIFICATE;
if (!APP_ID || !APP_CERTIFICATE) {
  console.error('set APP_ID and APP_CERTIFICATE');
  process.exit(2);
}

const app = express();

// As the tutorial does: tokens are never cached on the way.
function noCache(req, res, next) {
  res.header('Cache-Control', 'private, no-cache, no-store, must-revalidate');
  res.header('Expires', '-1');
  res.header('Pragma', 'no-cache');
  next();
}

app.get('/ping', noCache, (req, res) => res.json({ message: 'pong' }));

app.get('/rtc/:channel/:role/:tokentype/:uid', noCache, (req, res) => {
  const { channel, tokentype, uid } = req.params;
  let role;
  if (req.params.role === 'publisher') {
    role = RtcRole.PUBLISHER;
  } else if (req.params.role === 'audience' || req.params.role === 'subscriber') {
    role = RtcRole.SUBSCRIBER;
  } else {
    return res.status(400).json({ error: 'role is incorrect' });
  }
  const expiry = req.query.expiry === undefined ? 3600 : parseInt(req.query.expiry, 10);
  if (!Number.isInteger(expiry) || expiry <= 0) {
    return res.status(400).json({ error: 'expiry is incorrect' });
  }
  let token;
  if (tokentype === 'uid') {
    token = RtcTokenBuilder.buildTokenWithUid(APP_ID, APP_CERTIFICATE, channel, uid, role, expiry, expiry);
  } else if (tokentype === 'userAccount') {
    token = RtcTokenBuilder.buildTokenWithUserAccount(APP_ID, APP_CERTIFICATE, channel, uid, role, expiry, expiry);
  } else {
    return res.status(400).json({ error: 'token type is invalid' });
  }
  return res.json({ rtcToken: token });
});

const server = app.listen(Number(process.env.PORT ?? 8080), process.env.BIND_ADDRESS ?? '127.0.0.1', () => {
  console.log(`listening on ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
