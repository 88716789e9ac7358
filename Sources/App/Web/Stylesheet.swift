/// The product's own stylesheet, served at /assets/app.css. Written for this project in the spirit of the
/// GOV.UK Design System (no external assets can be fetched at run time). Colours meet WCAG AA contrast.
enum Stylesheet {
    static let css = """
        *,*::before,*::after{box-sizing:border-box}
        html{font-family:Arial,"Helvetica Neue",Helvetica,sans-serif;font-size:16px;line-height:1.4;color:#0b0c0c;\
        background:#f3f2f1}
        body{margin:0;background:#fff}
        a{color:#1d70b8}a:visited{color:#4c2c92}a:hover{color:#003078}
        a:focus,input:focus,textarea:focus,select:focus,button:focus{outline:3px solid #fd0;outline-offset:0;\
        box-shadow:inset 0 0 0 2px #0b0c0c}
        a:focus{background:#fd0;color:#0b0c0c;box-shadow:0 -2px #fd0,0 4px #0b0c0c;text-decoration:none;outline:none}
        .govuk-skip-link{position:absolute;left:-9999px}.govuk-skip-link:focus{left:0;padding:10px;z-index:10}
        .govuk-header{background:#0b0c0c;color:#fff;border-bottom:10px solid #1d70b8}
        .govuk-header__container{max-width:1020px;margin:0 auto;padding:12px 15px;display:flex;flex-wrap:wrap;gap:12px;\
        align-items:center;justify-content:space-between}
        .govuk-header__service{color:#fff;font-weight:700;font-size:1.25rem;text-decoration:none}
        .govuk-header__service:visited,.govuk-header__service:hover{color:#fff}
        .govuk-header__who{color:#fff;font-size:.9rem}
        .dps-nav{background:#f3f2f1;border-bottom:1px solid #b1b4b6}
        .dps-nav ul{max-width:1020px;margin:0 auto;padding:8px 15px;list-style:none;display:flex;flex-wrap:wrap;\
        gap:6px 22px}
        .dps-nav form{display:inline;margin:0}
        .dps-nav button{background:none;border:0;color:#1d70b8;text-decoration:underline;font:inherit;cursor:pointer;\
        padding:0}
        .govuk-width-container{max-width:1020px;margin:0 auto;padding:0 15px}
        .govuk-main-wrapper{padding:30px 0 60px}
        .govuk-phase-banner{padding:8px 0;border-bottom:1px solid #b1b4b6;font-size:.9rem}
        .govuk-footer{background:#f3f2f1;border-top:1px solid #b1b4b6;padding:25px 0;font-size:.9rem;color:#0b0c0c}
        .govuk-heading-xl{font-size:2.5rem;margin:0 0 30px}.govuk-heading-l{font-size:2rem;margin:0 0 25px}
        .govuk-heading-m{font-size:1.5rem;margin:25px 0 15px}.govuk-heading-s{font-size:1.1875rem;margin:20px 0 10px}
        .govuk-caption-l{display:block;color:#505a5f;font-size:1.25rem;margin-bottom:5px}
        .govuk-body,.govuk-list{margin:0 0 20px}.govuk-body-s{font-size:.875rem}
        .govuk-list--bullet{padding-left:20px;list-style:disc}
        .govuk-visually-hidden{position:absolute!important;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);\
        white-space:nowrap}
        .govuk-form-group{margin-bottom:30px}
        .govuk-form-group--error{padding-left:15px;border-left:5px solid #d4351c}
        .govuk-label{display:block;margin-bottom:5px;font-size:1.1875rem}
        .govuk-label--s{font-weight:700}.govuk-label--l{font-weight:700;font-size:2rem}
        .govuk-hint{color:#505a5f;margin-bottom:15px}
        .govuk-error-message{color:#d4351c;font-weight:700;margin:0 0 15px}
        .govuk-input,.govuk-textarea,.govuk-select{font:inherit;font-size:1.1875rem;border:2px solid #0b0c0c;\
        padding:5px;width:100%;border-radius:0;background:#fff}
        .govuk-input--error,.govuk-textarea--error{border-color:#d4351c}
        .govuk-input--width-5{max-width:10ex}.govuk-input--width-10{max-width:20ex}\
        .govuk-input--width-20{max-width:38ex}
        .dps-filter{display:flex;flex-wrap:wrap;gap:0 20px;align-items:flex-end}\
        .dps-filter .govuk-button{margin-bottom:30px}.dps-filter>*{min-width:0;max-width:100%}\
        .dps-filter .govuk-select{max-width:100%}
        .dps-inline-list{display:flex;flex-wrap:wrap;gap:4px 20px;padding:0;list-style:none}
        .dps-chart{display:block;width:100%;max-width:560px;height:auto;margin:0 0 20px}
        .govuk-date-input{display:flex;flex-wrap:wrap;gap:0 20px}.govuk-date-input__item{margin-bottom:0}\
        .govuk-date-input__label{display:block}.govuk-input--width-2{max-width:5.4ex}\
        .govuk-input--width-4{max-width:9ex}
        .govuk-select{width:auto;min-width:11em;max-width:100%}
        .govuk-fieldset{margin:0;padding:0;border:0}
        .govuk-fieldset__legend{font-size:1.1875rem;margin-bottom:10px;padding:0}
        .govuk-fieldset__legend--s{font-weight:700}.govuk-fieldset__legend--m{font-weight:700;font-size:1.5rem}\
        .govuk-fieldset__legend--l{font-weight:700;font-size:2rem}
        .govuk-radios__item,.govuk-checkboxes__item{display:flex;flex-wrap:wrap;align-items:flex-start;gap:0 10px;\
        margin-bottom:10px}
        .govuk-radios--inline{display:flex;flex-wrap:wrap;gap:0 20px}
        .govuk-radios__input,.govuk-checkboxes__input{width:24px;height:24px;margin:2px 0 0;accent-color:#0b0c0c}
        .govuk-radios__label,.govuk-checkboxes__label{margin:0;flex:1}
        .govuk-radios__hint,.govuk-checkboxes__hint{flex-basis:100%;padding-left:34px;margin-bottom:0}
        .govuk-button{font:inherit;font-size:1.1875rem;background:#00703c;color:#fff;border:2px solid transparent;\
        box-shadow:0 2px 0 #002d18;padding:8px 10px 7px;margin:0 15px 22px 0;cursor:pointer}
        .govuk-button--secondary{background:#f3f2f1;color:#0b0c0c;box-shadow:0 2px 0 #929191}
        .govuk-button--warning{background:#d4351c;box-shadow:0 2px 0 #55150b}
        a.govuk-button,a.govuk-button:link,a.govuk-button:visited,a.govuk-button:hover{color:#fff;\
        display:inline-block;text-decoration:none}
        a.govuk-button--secondary:link,a.govuk-button--secondary:visited{color:#0b0c0c}
        .govuk-back-link{display:inline-block;margin:15px 0 20px;color:#0b0c0c}
        .govuk-back-link:visited{color:#0b0c0c}.govuk-back-link::before{content:"\\2039\\00a0"}
        .govuk-button-group{display:flex;flex-wrap:wrap;align-items:baseline}
        .govuk-pagination{display:flex;flex-wrap:wrap;gap:0 30px;align-items:baseline;margin:0 0 30px}
        .govuk-error-summary{border:5px solid #d4351c;padding:20px;margin-bottom:40px}
        .govuk-error-summary__title{margin-top:0;font-size:1.5rem}
        .govuk-error-summary__list{padding:0;list-style:none;margin:0}\
        .govuk-error-summary__list a{color:#d4351c;font-weight:700}
        .govuk-summary-list{margin:0 0 30px}
        .govuk-summary-list__row{display:flex;flex-wrap:wrap;border-bottom:1px solid #b1b4b6;padding:10px 0}
        .govuk-summary-list__key{font-weight:700;width:35%;padding-right:20px;margin:0}
        .govuk-summary-list__value{margin:0;flex:1;white-space:pre-line}
        .govuk-table{width:100%;border-collapse:collapse;margin-bottom:30px}
        .govuk-table__caption{text-align:left;font-weight:700;font-size:1.25rem;margin-bottom:10px}
        .govuk-table__header,.govuk-table__cell{text-align:left;padding:10px 15px 10px 0;\
        border-bottom:1px solid #b1b4b6;vertical-align:top;overflow-wrap:break-word}
        @media print{.govuk-header,.govuk-footer,.govuk-skip-link,.govuk-back-link,.govuk-button,.dps-no-print,\
        form{display:none!important}body{font-size:11pt;color:#000}.govuk-width-container{max-width:none;margin:0}\
        .govuk-summary-list__row{break-inside:avoid}a{color:#000;text-decoration:none}}
        @media (max-width:640px){.govuk-table,.govuk-table tbody,.govuk-table__row,.govuk-table__cell{display:block;\
        width:100%}.govuk-table thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}\
        .govuk-table__row{border-bottom:1px solid #b1b4b6;padding:8px 0}.govuk-table__cell{border:0;padding:3px 0}\
        .govuk-table__cell[data-label]::before{content:attr(data-label);display:block;font-weight:700}\
        .govuk-table__caption{display:block;font-size:1.1rem}.govuk-table__cell{overflow-wrap:anywhere}}
        .govuk-tag{display:inline-block;padding:2px 8px;font-weight:700;font-size:.9rem;background:#cce2d8;\
        color:#005a30}
        .govuk-tag--grey{background:#e5e6e7;color:#383f43}.govuk-tag--red{background:#f4cdc6;color:#942514}
        .govuk-tag--yellow{background:#fff7bf;color:#594d00}.govuk-tag--blue{background:#bbd4ea;color:#0c2d4a}
        .govuk-notification-banner{border:5px solid #1d70b8;margin-bottom:30px}
        .govuk-notification-banner--success{border-color:#00703c}
        .govuk-notification-banner__header{padding:2px 15px;background:#1d70b8;color:#fff}
        .govuk-notification-banner--success .govuk-notification-banner__header{background:#00703c}
        .govuk-notification-banner__title{font-size:1rem;margin:0}
        .govuk-notification-banner__content{padding:15px}.govuk-notification-banner__heading{font-weight:700;\
        font-size:1.25rem;margin:0}
        .govuk-inset-text{border-left:10px solid #b1b4b6;padding:15px;margin:20px 0}
        .govuk-warning-text{display:flex;gap:15px;align-items:center;margin-bottom:20px}
        .govuk-warning-text__icon{display:inline-block;min-width:35px;height:35px;border-radius:50%;background:#0b0c0c;\
        color:#fff;font-weight:700;text-align:center;line-height:35px;font-size:1.5rem}
        .govuk-section-break{border:0;border-top:1px solid #b1b4b6;margin:30px 0}
        .dps-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:20px;margin-bottom:30px}
        .dps-card{border:1px solid #b1b4b6;padding:15px 20px}
        .dps-tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:15px;margin:0 0 30px;\
        padding:0;list-style:none}
        .dps-tile{margin:0;min-width:0}.dps-tile__link{display:block;text-decoration:none}
        .dps-tile__value{display:block;font-size:1.6rem;font-weight:700;line-height:1.2;overflow-wrap:anywhere}
        .dps-tile__label{display:block;text-decoration:underline}
        .dps-map{display:block;width:100%;max-width:520px;height:auto;margin:0 0 20px}
        .dps-preline{white-space:pre-line}
        pre.dps-pre{white-space:pre-wrap;background:#f3f2f1;padding:15px;font-size:.9rem}
        """
}
