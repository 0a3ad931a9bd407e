// After a security key is registered, go on to the next page (backup
// codes at set-up, the account page otherwise).
document.addEventListener("otp_webauthn.register_complete", function (event) {
  var button = document.getElementById("passkey-register-button");
  var next = button && button.getAttribute("data-next");
  window.location.assign(next || "/compte/");
});
