/* 获取验证码 in place (registration, 账户与安全): posts the phone to the SMS-code endpoint, shows
   the answer in the status line and counts the 60 s before another code may be asked for.
   Without JavaScript the button posts the whole form instead (action=send_code). */
(function () {
  "use strict";
  document.querySelectorAll(".zw-sms-send").forEach(function (button) {
    var status = document.getElementById("sms-code-status");
    var label = button.textContent;
    function countdown(seconds) {
      button.disabled = true;
      var left = seconds;
      button.textContent = left + "秒后可重新获取";
      var timer = setInterval(function () {
        left -= 1;
        if (left <= 0) {
          clearInterval(timer);
          button.disabled = false;
          button.textContent = label;
        } else {
          button.textContent = left + "秒后可重新获取";
        }
      }, 1000);
    }
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var form = button.form;
      var field = button.getAttribute("data-phone-field") || "phone";
      var phone = form.querySelector("[name=" + field + "]");
      var data = new FormData();
      data.append("purpose", button.getAttribute("data-purpose"));
      data.append(field, phone ? phone.value : "");
      var token = form.querySelector("input[name=csrfmiddlewaretoken]");
      button.disabled = true;
      fetch(button.getAttribute("data-url"), {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"Accept": "application/json", "X-CSRFToken": token ? token.value : ""}
      }).then(function (response) {
        return response.json().then(function (body) { return {ok: response.ok, body: body}; });
      }).then(function (result) {
        status.textContent = result.body.detail || "";
        status.className = "small " + (result.ok ? "text-success" : "text-danger");
        if (result.ok) {
          countdown(result.body.resend_after || 60);
        } else {
          button.disabled = false;
        }
      }).catch(function () {
        status.textContent = "验证码发送失败：网络异常，请稍后再试";
        status.className = "small text-danger";
        button.disabled = false;
      });
    });
  });
})();
